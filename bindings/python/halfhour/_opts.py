"""Argument checks shared by the verbs: the CLI's ranges and messages, with
the keyword names of the Python functions."""
import datetime
import math

from ._lib import ffi, lib
from .errors import InvalidArgument

MODES = {"walk": 0, "bike": 1, "car": 2}
MODE_NAMES = {0: "walk", 1: "bike", 2: "car"}


def number(v, name, lo, hi, integer=False, what="a number"):
    try:
        d = float(v)
    except (TypeError, ValueError):
        raise InvalidArgument("%s %r: expected %s" % (name, v, what)) from None
    if not math.isfinite(d) or d < lo or d > hi or (integer and d != math.floor(d)):
        raise InvalidArgument("%s %r: expected %s" % (name, v, what))
    return d


def number_list(v, name, max_, cap=64):
    """The CLI's cli_parse_list: numbers in (0, max], sorted, de-duplicated;
    a list, a tuple, one number or "10,20,30"."""
    if isinstance(v, str):
        items = v.split(",")
    elif isinstance(v, (int, float)):
        items = [v]
    else:
        items = list(v)
    if not items:
        raise InvalidArgument("%s: expected at least one number" % name)
    out = []
    for x in items:
        try:
            d = float(x)
        except (TypeError, ValueError):
            raise InvalidArgument('%s: "%s" is not a number' % (name, x)) from None
        if not math.isfinite(d):
            raise InvalidArgument('%s: "%s" is not a number' % (name, x))
        if d <= 0 or d > max_:
            raise InvalidArgument("%s: %s out of range (0, %g]" % (name, x, max_))
        out.append(d)
    if len(out) > cap:
        raise InvalidArgument("%s: at most %d values" % (name, cap))
    return sorted(set(out))


def mode(m, name="mode", transit_ok=True):
    """(hh_mode, is_transit) of "walk", "bike", "car" or "transit"."""
    if transit_ok and m == "transit":
        return 0, True
    if m not in MODES:
        raise InvalidArgument('unknown %s "%s" (expected walk, bike, car%s)' % (name, m, " or transit" if transit_ok
                                                                                   else ""))
    return MODES[m], False


def departure(v):
    """(YYYYMMDD, seconds) of "YYYY-MM-DDTHH:MM" (hours up to 47, as the
    CLI reads it) or a datetime."""
    if isinstance(v, datetime.datetime):
        return v.year * 10000 + v.month * 100 + v.day, v.hour * 3600 + v.minute * 60
    s = str(v)
    try:
        date_s, time_s = s.split("T")
        y, mo, d = (int(x) for x in date_s.split("-"))
        h, mi = (int(x) for x in time_s.split(":"))
        if len(date_s) != 10 or len(time_s) != 5 or not (0 <= h <= 47 and 0 <= mi <= 59):
            raise ValueError
        datetime.date(y, mo, d)
    except ValueError:
        raise InvalidArgument('departure "%s": expected YYYY-MM-DDTHH:MM (feed local time)' % s) from None
    return y * 10000 + mo * 100 + d, h * 3600 + mi * 60


def minutes_of(v, name):
    if isinstance(v, datetime.timedelta):
        return v.total_seconds() / 60
    return v


def transit_opts(departure_v, window, max_walk, max_rides, draws, walk_speed, max_s, verb="matrix"):
    """An hh_transit_opts * with the CLI's defaults and checks."""
    if departure_v is None:
        raise InvalidArgument("mode transit needs departure=\"YYYY-MM-DDTHH:MM\"")
    o = ffi.new("hh_transit_opts *")
    o.date, o.depart_s = departure(departure_v)
    o.window_min = int(number(minutes_of(window, "window"), "window", 1, 1440, True,
                              "whole minutes in [1, 1440]"))
    o.max_walk_s = number(minutes_of(max_walk, "max_walk"), "max_walk", 0, 120, what="minutes in [0, 120]") * 60
    o.max_rides = int(number(max_rides, "max_rides", 1, 64, True, "an integer in [1, 64]"))
    o.draws = int(number(draws, "draws", 1, 1000, True, "an integer in [1, 1000]"))
    o.walk_kmh = 0.0 if walk_speed is None else number(walk_speed, "walk_speed", 1, 20, what="km/h in [1, 20]")
    o.max_s = max_s
    return o


def threads(v):
    return 0 if v is None else int(number(v, "threads", 1, 256, True, "an integer in [1, 256]"))


def snap_max(v):
    return number(v, "snap_max", 0, 100000, what="metres in [0, 100000]")


def prepare_transit(net, o):
    from ._lib import errbuf, check
    tp = ffi.new("hh_transit **")
    err = errbuf()
    check(lib.hh_transit_prepare(net, o, tp, err, len(err)), err)
    return ffi.gc(tp[0], lib.hh_transit_free)
