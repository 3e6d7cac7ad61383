"""Copies the C library into the package: `make python` in the repository
(build/rel/libhalfhour.so and build/rel/halfhour_cdef.h, the header as cffi
reads it), then both files beside halfhour/__init__.py.  The metadata is
in pyproject.toml."""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
# the repository: two levels up, or $HALFHOUR_ROOT for a copy of this folder
ROOT = os.environ.get("HALFHOUR_ROOT") or os.path.dirname(os.path.dirname(HERE))
FILES = ("libhalfhour.so", "halfhour_cdef.h")


class build_with_library(build_py):
    def run(self):
        if not os.path.exists(os.path.join(ROOT, "include", "halfhour.h")):
            raise SystemExit("halfhour: build from the repository (bindings/python inside it), where make builds "
                             "libhalfhour.so")
        subprocess.check_call(["make", "-s", "-C", ROOT, "-j%d" % min(2, os.cpu_count() or 1), "python"])
        super().run()
        dest = os.path.join(self.build_lib, "halfhour")
        os.makedirs(dest, exist_ok=True)
        for f in FILES:
            shutil.copy2(os.path.join(ROOT, "build", "rel", f), os.path.join(dest, f))


setup(cmdclass={"build_py": build_with_library})
