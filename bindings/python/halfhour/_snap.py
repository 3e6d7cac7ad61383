"""Why points did not snap, in the library's words (hh_snap_report,
hh_snap_fail_text: src/io/snap_text.c), the same the CLI prints; the
tests compare these messages with the CLI's."""
import numpy as np

from ._lib import ffi, lib, text


def report(net, mode, mode_name, snap_max, what, pts, ok, note=""):
    """The phrase "3 origins did not snap: ..." for the points whose ok[i]
    is 0, or None when all snapped."""
    ok = np.ascontiguousarray(np.asarray(ok, dtype=np.uint8))
    if ok.all():
        return None
    ids = [ffi.new("char[]", str(x).encode("utf-8")) for x in pts.ids]
    cids = ffi.new("char *[]", ids)
    lon = np.ascontiguousarray(pts.lon, dtype=np.float64)
    lat = np.ascontiguousarray(pts.lat, dtype=np.float64)
    nbad = ffi.new("size_t *")
    p = lib.hh_snap_report(net, mode, mode_name.encode("utf-8"), snap_max, what.encode("utf-8"), len(ids), cids,
                           ffi.cast("const double *", ffi.from_buffer(lon)),
                           ffi.cast("const double *", ffi.from_buffer(lat)),
                           ffi.cast("const unsigned char *", ffi.from_buffer(ok)), note.encode("utf-8"), nbad)
    if p == ffi.NULL:
        if nbad[0]:
            raise MemoryError("out of memory")
        return None
    try:
        return text(p)
    finally:
        lib.hh_buffer_free(p)


def fail_text(net, mode, mode_name, street, lon, lat, snap_max, what, see="snap_max"):
    """The message for one point that must snap and does not: "WHAT: no
    STREET street within 200 m (nearest street 812 m; see snap_max)" or
    "WHAT did not snap: REASON"."""
    buf = ffi.new("char[]", 2048)
    if lib.hh_snap_fail_text(net, mode, mode_name.encode("utf-8"), street.encode("utf-8"), lon, lat, snap_max,
                             what.encode("utf-8"), see.encode("utf-8"), buf, 2048):
        return "%s did not snap" % what
    return text(buf)
