"""`pip install --no-build-isolation ./bindings/python` works offline (no
index at all) into a virtual environment that sees Debian's packages, and
the installed package loads its own copy of the library from outside the
source tree."""
import os
import subprocess
import sys

from conftest import ROOT


def test_pip_install_offline(tmp_path):
    venv = tmp_path / "venv"
    subprocess.check_call(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)])
    py = venv / "bin" / "python"
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    env.pop("HALFHOUR_LIB", None)
    src = tmp_path / "src"
    # a copy of the package folder, so that the in-tree build leaves the checkout clean
    subprocess.check_call(["cp", "-r", os.path.join(ROOT, "bindings", "python"), str(src)])
    subprocess.check_call([str(py), "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index",
                           str(src)], env=dict(env, HALFHOUR_ROOT=ROOT), cwd=str(tmp_path))
    out = subprocess.check_output([str(py), "-c", "import halfhour, sys; print(halfhour.library_path); "
                                   "print(halfhour.Network.__doc__ is not None)"], env=env, cwd=str(tmp_path),
                                  text=True).split()
    assert out[0].startswith(str(venv)) and out[0].endswith("site-packages/halfhour/libhalfhour.so"), out
    assert out[1] == "True"
