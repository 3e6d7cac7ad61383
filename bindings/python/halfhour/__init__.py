"""halfhour from Python: travel times, isochrones, access and reports over
OpenStreetMap and GTFS, shaped like r5py, without a JVM.

    import halfhour
    net = halfhour.Network.build("poa_osm.pbf", gtfs=["poa_eptc.zip", "poa_trensurb.zip"])
    ttm = net.travel_time_matrix(origins, destinations, mode="transit",
                                 departure="2019-05-13T12:00", window=60, percentiles=[50])

Every `halfhour` verb is a Network method: build (Network.build), info,
isochrone (isochrones), matrix (travel_time_matrix), access, report,
site, scenario and verify (Network.verify, on a path).  The module-level functions of the same names take the network file
first, as the CLI does.  Errors raise HalfhourError subclasses carrying
the library's one-line messages.  Map data (c) OpenStreetMap contributors,
ODbL 1.0."""
from ._lib import lib as _clib, ffi as _ffi, path as library_path
from .errors import (HalfhourError, HalfhourWarning, OutOfMemory, InputOutputError, MalformedInput,
                     UnsupportedVersion, ChecksumMismatch, FileTruncated, InvalidArgument, NotSnapped, OutOfRange,
                     NothingUsable)
from .network import Network, ATTRIBUTION

__version__ = "0.1.0"  # include/halfhour.h HH_VERSION_STRING (tests check they agree)

__all__ = ["Network", "build", "info", "verify", "isochrone", "matrix", "access", "report", "site", "scenario", "HalfhourError",
           "HalfhourWarning", "OutOfMemory", "InputOutputError", "MalformedInput", "UnsupportedVersion",
           "ChecksumMismatch", "FileTruncated", "InvalidArgument", "NotSnapped", "OutOfRange", "NothingUsable",
           "ATTRIBUTION", "library_path"]


def build(osm, gtfs=(), out=None, **kw):
    """`halfhour build`: Network.build(osm, gtfs, out, ...), the opened Network."""
    return Network.build(osm, gtfs, out, **kw)


def _with(path, fn):
    with Network.open(path) as net:
        return fn(net)


def info(net):
    """`halfhour info NET.hh --json`: Network.info() of a path or a Network."""
    return net.info() if isinstance(net, Network) else _with(net, Network.info)


def verify(path):
    """`halfhour verify NET.hh`: Network.verify(path)."""
    return Network.verify(path)


def scenario(net, change, out, **kw):
    """`halfhour scenario`: Network.scenario on a path or a Network (the new Network)."""
    f = lambda n: n.scenario(change, out, **kw)
    return f(net) if isinstance(net, Network) else _with(net, f)


def isochrone(net, points, mode, minutes=(10, 20, 30), **kw):
    """`halfhour isochrone`: Network.isochrones on a path or a Network."""
    f = lambda n: n.isochrones(points, mode, minutes, **kw)
    return f(net) if isinstance(net, Network) else _with(net, f)


def matrix(net, origins, destinations=None, mode="walk", **kw):
    """`halfhour matrix`: Network.travel_time_matrix on a path or a Network."""
    f = lambda n: n.travel_time_matrix(origins, destinations, mode, **kw)
    return f(net) if isinstance(net, Network) else _with(net, f)


def access(net, mode, **kw):
    """`halfhour access`: Network.access on a path or a Network."""
    f = lambda n: n.access(mode, **kw)
    return f(net) if isinstance(net, Network) else _with(net, f)


def report(net, centres, minutes=30, modes=("car",), **kw):
    """`halfhour report`: Network.report on a path or a Network."""
    f = lambda n: n.report(centres, minutes, modes, **kw)
    return f(net) if isinstance(net, Network) else _with(net, f)


def site(net, mode, minutes, demand, **kw):
    """`halfhour site`: Network.site on a path or a Network."""
    f = lambda n: n.site(mode, minutes, demand, **kw)
    return f(net) if isinstance(net, Network) else _with(net, f)
