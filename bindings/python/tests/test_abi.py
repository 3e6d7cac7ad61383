"""The cffi declarations against the C compiler: every struct of the
preprocessed header has cffi's size and field offsets as cc computes them
(ABI mode trusts the declarations; this catches a layout cffi got wrong),
the error codes agree, and the package's version is the header's."""
import os
import subprocess

import halfhour
from halfhour._lib import ffi, lib

from conftest import ROOT


def test_struct_layouts_match_the_compiler(tmp_path):
    typedefs, structs, unions = ffi.list_types()
    checks = []
    for name in typedefs:
        t = ffi.typeof(name)
        if t.kind != "struct" or name == "hh_net" or t.fields is None:
            continue
        checks.append((name, ffi.sizeof(name), [(f, ft.offset) for f, ft in t.fields]))
    assert len(checks) >= 30, [c[0] for c in checks]
    src = ['#include <stddef.h>', '#include <stdio.h>', '#include "halfhour.h"', "int main(void) {"]
    for name, _, fields in checks:
        src.append('printf("%s %%zu\\n", sizeof(%s));' % (name, name))
        for f, _ in fields:
            src.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));' % (name, f, name, f))
    src.append("return 0; }")
    c = tmp_path / "layout.c"
    c.write_text("\n".join(src))
    exe = tmp_path / "layout"
    subprocess.check_call(["cc", "-I", os.path.join(ROOT, "include"), str(c), "-o", str(exe)])
    got = dict(l.split() for l in subprocess.check_output([str(exe)], text=True).splitlines())
    n = 0
    for name, size, fields in checks:
        assert int(got[name]) == size, name
        for f, off in fields:
            assert int(got["%s.%s" % (name, f)]) == off, (name, f)
            n += 1
    assert n > 300


def test_error_codes_and_version():
    assert lib.HH_ENOSNAP == -8 and lib.HH_EEMPTY == -10
    assert halfhour.NotSnapped.code == lib.HH_ENOSNAP
    assert halfhour.InvalidArgument.code == lib.HH_EINVAL
    for cls in (halfhour.OutOfMemory, halfhour.InputOutputError, halfhour.MalformedInput, halfhour.InvalidArgument,
                halfhour.NotSnapped, halfhour.OutOfRange, halfhour.NothingUsable, halfhour.ChecksumMismatch,
                halfhour.FileTruncated, halfhour.UnsupportedVersion):
        assert issubclass(cls, halfhour.HalfhourError)
        assert ffi.string(lib.hh_strerror(cls.code))
    with open(os.path.join(ROOT, "include", "halfhour.h")) as f:
        assert '#define HH_VERSION_STRING "%s"' % halfhour.__version__ in f.read()
