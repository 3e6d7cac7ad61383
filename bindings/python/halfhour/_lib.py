"""The C library through cffi in ABI mode: libhalfhour.so and the
declarations of include/halfhour.h (preprocessed by make into
halfhour_cdef.h, so they are the header's own).  cffi releases the GIL
around every call into the library, so searches run while other Python
threads go on.

Where the library is looked for, first found wins:
  $HALFHOUR_LIB            a libhalfhour.so (halfhour_cdef.h beside it)
  the package's folder     what `pip install ./bindings/python` copied there
  <repo>/build/rel/        a source checkout after `make`
"""
import os

import cffi

from . import errors

_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("HALFHOUR_LIB")
    if env:
        yield os.path.abspath(env)
        return
    yield os.path.join(_here, "libhalfhour.so")
    yield os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(_here))), "build", "rel", "libhalfhour.so")


def _load():
    tried = []
    for so in _candidates():
        cdef = os.path.join(os.path.dirname(so), "halfhour_cdef.h")
        if os.path.exists(so) and os.path.exists(cdef):
            ffi = cffi.FFI()
            with open(cdef, encoding="utf-8") as f:
                ffi.cdef(f.read())
            return ffi, ffi.dlopen(so), so
        tried.append(so)
    raise ImportError("halfhour: libhalfhour.so with halfhour_cdef.h not found (looked at %s); run `make` in the "
                      "repository or set HALFHOUR_LIB" % ", ".join(tried))


ffi, lib, path = _load()

NAN = float("nan")


def errbuf(n=2048):
    return ffi.new("char[]", n)


def text(p):
    """A C string (UTF-8) as str; '' for NULL."""
    return ffi.string(p).decode("utf-8", "replace") if p != ffi.NULL else ""


def check(rc, err=None, what=None):
    """Raises the HalfhourError of a negative return code with the
    library's one-line message (err), or its hh_strerror."""
    if rc == 0:
        return
    msg = text(err) if err is not None else ""
    if not msg:
        msg = text(lib.hh_strerror(rc))
        if what:
            msg = "%s: %s" % (what, msg)
    raise errors.from_code(rc, msg)
