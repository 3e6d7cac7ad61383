"""Why points did not snap, in the words of the CLI (cli/cli.c:
cli_snap_report and cli_snap_reason), from the library's hh_snap_explain;
the tests compare these messages with the CLI's."""
import math

from ._lib import ffi, lib, text

OK, OUTSIDE, SWAPPED, TOO_FAR, INVALID = 0, 1, 2, 3, 4
EXPLAIN_M = 20000.0


def _g(x):
    """C's %g."""
    return "%g" % x


def area_text(net):
    b = ffi.new("double[4]")
    lib.hh_net_bbox(net, b + 0, b + 1, b + 2, b + 3)
    info = ffi.new("hh_net_info *")
    lib.hh_net_get_info(net, info)
    src = text(info.source)
    return "%.4f,%.4f .. %.4f,%.4f%s%s" % (b[0], b[1], b[2], b[3], "; " if src else "", src)


def dist_text(m):
    if not math.isfinite(m):
        return "none within %s km" % _g(EXPLAIN_M / 1000)
    if m < 10000:
        return "%.0f m" % m
    return "%.1f km" % (m / 1000)


def explain(net, mode, lon, lat, snap_max):
    w = ffi.new("hh_snap_why *")
    if lib.hh_snap_explain(net, mode, lon, lat, snap_max, w) or w.reason == OK:
        return TOO_FAR, math.inf
    return int(w.reason), float(w.nearest_m)


def reason(net, why, mode_name, snap_max):
    r, nearest = why
    area = area_text(net)
    if r == OUTSIDE:
        if math.isfinite(nearest):
            return "outside the network's area (%s), nearest %s street %s" % (area, mode_name, dist_text(nearest))
        return "outside the network's area (%s)" % area
    if r == SWAPPED:
        return "outside the network's area (%s); lon/lat look swapped: exchanged, the point is inside" % area
    if r == TOO_FAR:
        return "farther than %s m from the %s network (nearest street %s)" % (_g(snap_max), mode_name,
                                                                             dist_text(nearest))
    if r == INVALID:
        return "invalid coordinates"
    return "snaps"


def report(net, mode, mode_name, snap_max, what, pts, ok, note=""):
    """The CLI's phrase "3 origins did not snap: ..." for the points whose
    ok[i] is 0, or None when all snapped."""
    import numpy as np
    bad_idx = np.flatnonzero(np.asarray(ok) == 0)
    bad = len(bad_idx)
    if not bad:
        return None
    why = {int(i): explain(net, mode, float(pts.lon[i]), float(pts.lat[i]), snap_max) for i in bad_idx}
    ids = pts.ids
    out = ["%d %s%s did not snap%s:" % (bad, what, "" if bad == 1 else "s", note)]
    area = area_text(net)
    groups = 0
    area_said = False
    for r in (OUTSIDE, SWAPPED, TOO_FAR, INVALID):
        members = [i for i in bad_idx if why[int(i)][0] == r]
        c = len(members)
        if not c:
            continue
        s = "%s %d " % (";" if groups else "", c)
        groups += 1
        if r in (OUTSIDE, SWAPPED):
            s += "outside the network's area"
            if not area_said:
                s += " (%s)" % area
            area_said = True
            if r == SWAPPED:
                s += ", lon/lat look swapped (inside when exchanged)"
        elif r == TOO_FAR:
            s += "farther than %s m from the %s network" % (_g(snap_max), mode_name)
        else:
            s += "with invalid coordinates"
        s += ": id%s" % ("" if c == 1 else "s")
        shown = 0
        for i in members[:20]:
            s += ("," if shown else " ") + str(ids[i])
            shown += 1
            nearest = why[int(i)][1]
            if r == TOO_FAR or (r == OUTSIDE and math.isfinite(nearest)):
                s += " (nearest street %s)" % dist_text(nearest)
        if c > shown:
            s += ",... (%d more)" % (c - shown)
        out.append(s)
    return "".join(out)
