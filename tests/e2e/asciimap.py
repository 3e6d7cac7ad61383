#!/usr/bin/env python3
"""asciimap.py: turn an ASCII street map into OSM files and a points CSV.

Used by the end-to-end cases (tests/e2e/cases/*.case, see README.md), and
usable alone:

    python3 tests/e2e/asciimap.py CASEFILE --osm out.osm [--bz2 out.osm.bz2]
            [--pbf out.osm.pbf] [--points out.csv] [--distances]
    python3 tests/e2e/asciimap.py --selftest

Geometry (the numbers every expected value in a case depends on):

  * Every character of the map is one grid cell, the same size on both axes
    (`grid:` metres, default 100), as in OSRM's cucumber features: in
    "a-b" the nodes are 200 m apart, in "ab" 100 m.
  * The bottom-left cell of the map sits at `origin:` (lon,lat; default
    0,0), so with the default every coordinate is >= 0.
  * Row r (counted from the bottom) has latitude  lat0 + r * grid / R  and
    column c of that row has longitude  lonm + (c - m) * dlon(lat_r)  where
    dlon(phi) = 2 asin(sin(grid / 2R) / cos phi), m is the middle column
    and lonm = lon0 + m * dlon(lat0) (so the bottom-left cell is exactly at
    the origin).  With R = 6371008.8 m the haversine distance between two
    horizontally or two vertically adjacent cells is then the grid size:
    errors are below a micrometre near the equator and below 1 mm up to
    |lat| 60 for 1 km grids (`--selftest` measures them).
  * Coordinates are written with 10 decimals (1e-10 deg = 11 um) in both the
    OSM file and the points CSV, so a point placed on a node has exactly the
    node's coordinates.  The .osm.pbf writer uses the standard 100 nanodegree
    granularity, which moves nodes by up to 5.6 mm: cases keep their
    expected values away from rounding boundaries by more than that.

Map characters: letters a-z/A-Z are OSM nodes (only those used by a way end
up in a way, but all are written); digits 0-9 are named points that are not
nodes.  Everything else (- | / \\ + . space ...) is decoration.

Ways: one per line, the node letters in order, then tags as key=value
(shell quoting for values with spaces: maxspeed="30 mph").

Nodes (`nodes:`): a node letter, then tags (barrier=bollard,
highway=traffic_signals).  Relations (`relations:`): members as role:ref,
ref a node letter or a way's node string as listed under ways:, then tags
(type=restriction restriction=no_left_turn).  Both go to the XML (and the
.bz2) only; the .pbf writer leaves them out.

Points: `ID SPEC`, SPEC being a base position and optional offsets:
    a                      at node (or map digit) a
    mid a b                half-way between a and b
    frac a b 0.25          a quarter of the way from a to b
    at LON,LAT             absolute position
  followed by any number of offsets in metres: 30n 20s 50e 10w (also with
  an 'm': 30mn is not valid, write 30n), applied left to right; an east/west
  offset is measured along the parallel at the current latitude.
"""
import bz2
import math
import os
import re
import shlex
import struct
import sys
import zlib

R = 6371008.8  # metres, the mean Earth radius the engine uses

NODE_CHARS = re.compile(r"[A-Za-z]")
POINT_CHARS = re.compile(r"[0-9]")


class MapError(Exception):
    pass


def haversine(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))


def north(lon, lat, metres):
    return lon, lat + math.degrees(metres / R)


def east(lon, lat, metres):
    """Moves `metres` east (negative: west) along the parallel of `lat` so
    that the haversine distance to the start is |metres|."""
    s = math.sin(abs(metres) / (2 * R)) / math.cos(math.radians(lat))
    if s > 1:
        raise MapError("east/west offset too large at this latitude")
    d = math.degrees(2 * math.asin(s))
    return lon + (d if metres >= 0 else -d), lat


def fmt(x):
    s = "%.10f" % x
    return "0.0000000000" if s == "-0.0000000000" else s


class AsciiMap:
    """Node and point positions of one map."""

    def __init__(self, text, grid=100.0, origin=(0.0, 0.0)):
        self.grid = float(grid)
        if not self.grid > 0:
            raise MapError("grid must be > 0")
        self.lon0, self.lat0 = origin
        rows = text.split("\n")
        while rows and not rows[-1].strip():
            rows.pop()
        while rows and not rows[0].strip():
            rows.pop(0)
        self.nrows = len(rows)
        # longitudes of a row are laid out from the map's middle column, so
        # that columns stay (nearly) meridians far from the equator too
        self.cmid = (max(len(r) for r in rows) - 1) / 2.0 if rows else 0.0
        self.cells = {}  # name -> (col, row from the top)
        self.order = []  # node names in reading order
        self.digits = []  # point-only names in reading order
        for r, line in enumerate(rows):
            for c, ch in enumerate(line):
                if NODE_CHARS.match(ch) or POINT_CHARS.match(ch):
                    if ch in self.cells:
                        raise MapError("map: '%s' appears twice" % ch)
                    self.cells[ch] = (c, r)
                    (self.order if NODE_CHARS.match(ch) else self.digits).append(ch)
        if not self.order:
            raise MapError("map: no nodes (letters)")
        self.coords = {k: self.cell_lonlat(*v) for k, v in self.cells.items()}

    def cell_lonlat(self, col, row_from_top):
        r = self.nrows - 1 - row_from_top
        lat = self.lat0 + math.degrees(r * self.grid / R)
        if abs(lat) >= 89:
            raise MapError("map too close to a pole")
        lon_mid = self.lon0 + self.cmid * self.dlon(self.lat0)
        return lon_mid + (col - self.cmid) * self.dlon(lat), lat

    def dlon(self, lat):
        return math.degrees(
            2 * math.asin(math.sin(self.grid / (2 * R)) / math.cos(math.radians(lat))))

    def node_ids(self):
        return {k: i + 1 for i, k in enumerate(self.order)}


class Way:
    def __init__(self, nodes, tags, lineno=0):
        self.nodes = nodes
        self.tags = tags
        self.lineno = lineno


def parse_ways(lines, amap):
    ways = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        try:
            toks = shlex.split(line, comments=True)
        except ValueError as e:
            raise MapError("ways line %d: %s" % (n, e))
        nodes = toks[0]
        for ch in nodes:
            if ch not in amap.cells or not NODE_CHARS.match(ch):
                raise MapError("ways line %d: '%s' is not a node of the map" % (n, ch))
        if len(nodes) < 2:
            raise MapError("ways line %d: a way needs two nodes" % n)
        tags = []
        for t in toks[1:]:
            if "=" not in t:
                raise MapError("ways line %d: tag '%s' is not key=value" % (n, t))
            k, v = t.split("=", 1)
            tags.append((k, v))
        ways.append(Way(nodes, tags, n))
    return ways


def parse_node_tags(lines, amap):
    """`nodes:` lines: a node letter, then its tags as key=value."""
    out = {}
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        toks = shlex.split(line, comments=True)
        ch = toks[0]
        if len(ch) != 1 or ch not in amap.cells or not NODE_CHARS.match(ch):
            raise MapError("nodes line %d: '%s' is not a node of the map" % (n, ch))
        tags = []
        for t in toks[1:]:
            if "=" not in t:
                raise MapError("nodes line %d: tag '%s' is not key=value" % (n, t))
            tags.append(tuple(t.split("=", 1)))
        out[ch] = out.get(ch, []) + tags
    return out


def parse_relations(lines, amap, ways):
    """`relations:` lines: members as role:ref (ref a node letter, or a
    way's node string as listed under ways:), then tags as key=value."""
    by_nodes = {}
    for i, w in enumerate(ways, 1):
        by_nodes.setdefault(w.nodes, i)
    rels = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        members, tags = [], []
        for t in shlex.split(line, comments=True):
            if "=" in t:
                tags.append(tuple(t.split("=", 1)))
            elif ":" in t:
                role, ref = t.split(":", 1)
                if len(ref) == 1 and ref in amap.cells and NODE_CHARS.match(ref):
                    members.append(("node", role, ref))
                elif ref in by_nodes:
                    members.append(("way", role, by_nodes[ref]))
                else:
                    raise MapError("relations line %d: '%s' is neither a node nor a way" % (n, ref))
            else:
                raise MapError("relations line %d: '%s' is not role:ref or key=value" % (n, t))
        rels.append((members, tags))
    return rels


OFFSET = re.compile(r"^([+-]?\d+(?:\.\d+)?)m?([nsewNSEW])$")


def parse_point(spec, amap):
    toks = spec.split()
    if not toks:
        raise MapError("empty point spec")

    def base(name):
        if name not in amap.coords:
            raise MapError("point spec '%s': no '%s' in the map" % (spec, name))
        return amap.coords[name]

    if toks[0] == "mid":
        (x1, y1), (x2, y2) = base(toks[1]), base(toks[2])
        lon, lat = (x1 + x2) / 2, (y1 + y2) / 2
        rest = toks[3:]
    elif toks[0] == "frac":
        (x1, y1), (x2, y2) = base(toks[1]), base(toks[2])
        f = float(toks[3])
        lon, lat = x1 + f * (x2 - x1), y1 + f * (y2 - y1)
        rest = toks[4:]
    elif toks[0] == "at":
        lon, lat = (float(v) for v in toks[1].split(","))
        rest = toks[2:]
    else:
        lon, lat = base(toks[0])
        rest = toks[1:]
    for t in rest:
        m = OFFSET.match(t)
        if not m:
            raise MapError("point spec '%s': bad offset '%s'" % (spec, t))
        d, way = float(m.group(1)), m.group(2).lower()
        if way in "sw":
            d = -d
        lon, lat = north(lon, lat, d) if way in "ns" else east(lon, lat, d)
    return lon, lat


def parse_points(lines, amap):
    """Returns an ordered list of (id, lon, lat); map digits come first."""
    pts = [(d, amap.coords[d][0], amap.coords[d][1]) for d in amap.digits]
    seen = set(amap.digits)
    for line in lines:
        s = line.split("#", 1)[0].strip()
        if not s:
            continue
        pid, _, spec = s.partition(" ")
        if pid in seen:
            raise MapError("points: '%s' defined twice" % pid)
        seen.add(pid)
        lon, lat = parse_point(spec.strip(), amap)
        pts.append((pid, lon, lat))
    return pts


# ---- writers -------------------------------------------------------------

def xml_escape(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def osm_xml(amap, ways):
    ids = amap.node_ids()
    lons = [amap.coords[k][0] for k in amap.order]
    lats = [amap.coords[k][1] for k in amap.order]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<osm version="0.6" generator="halfhour tests/e2e/asciimap.py">',
           '  <bounds minlat="%s" minlon="%s" maxlat="%s" maxlon="%s"/>'
           % (fmt(min(lats)), fmt(min(lons)), fmt(max(lats)), fmt(max(lons)))]
    for k in amap.order:
        lon, lat = amap.coords[k]
        out.append('  <node id="%d" version="1" lat="%s" lon="%s">'
                   % (ids[k], fmt(lat), fmt(lon)))
        out.append('    <tag k="name" v="%s"/>' % xml_escape(k))
        for tk, tv in getattr(amap, "node_tags", {}).get(k, []):
            out.append('    <tag k="%s" v="%s"/>' % (xml_escape(tk), xml_escape(tv)))
        out.append("  </node>")
    for i, w in enumerate(ways, 1):
        out.append('  <way id="%d" version="1">' % i)
        for ch in w.nodes:
            out.append('    <nd ref="%d"/>' % ids[ch])
        for k, v in w.tags:
            out.append('    <tag k="%s" v="%s"/>' % (xml_escape(k), xml_escape(v)))
        out.append("  </way>")
    for i, (members, tags) in enumerate(getattr(amap, "relations", []), 1):
        out.append('  <relation id="%d" version="1">' % i)
        for kind, role, ref in members:
            rid = ids[ref] if kind == "node" else ref
            out.append('    <member type="%s" ref="%d" role="%s"/>' % (kind, rid, xml_escape(role)))
        for k, v in tags:
            out.append('    <tag k="%s" v="%s"/>' % (xml_escape(k), xml_escape(v)))
        out.append("  </relation>")
    out.append("</osm>")
    return "\n".join(out) + "\n"


# Minimal OSM PBF writer (protobuf by hand): one OSMHeader blob and one
# OSMData blob holding a DenseNodes group and a ways group, zlib-compressed.
def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _zigzag(n):
    return (n << 1) ^ (n >> 63)


def _key(field, wire):
    return _varint((field << 3) | wire)


def _bytes_field(field, data):
    return _key(field, 2) + _varint(len(data)) + data


def _int_field(field, n):
    return _key(field, 0) + _varint(n)


def _packed(field, values, signed=False):
    data = b"".join(_varint(_zigzag(v) if signed else v) for v in values)
    return _bytes_field(field, data)


def _blob(kind, payload):
    blob = _int_field(2, len(payload)) + _bytes_field(3, zlib.compress(payload, 9))
    header = _bytes_field(1, kind.encode()) + _int_field(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def osm_pbf(amap, ways):
    ids = amap.node_ids()
    strings = [b""]
    sidx = {}

    def s(x):
        b = x.encode()
        if b not in sidx:
            sidx[b] = len(strings)
            strings.append(b)
        return sidx[b]

    gran = 100  # nanodegrees
    lons = [amap.coords[k][0] for k in amap.order]
    lats = [amap.coords[k][1] for k in amap.order]
    bbox = (_int_field(1, _zigzag(int(round(min(lons) * 1e9))))
            + _int_field(2, _zigzag(int(round(max(lons) * 1e9))))
            + _int_field(3, _zigzag(int(round(max(lats) * 1e9))))
            + _int_field(4, _zigzag(int(round(min(lats) * 1e9)))))
    header = (_bytes_field(1, bbox) + _bytes_field(4, b"OsmSchema-V0.6")
              + _bytes_field(4, b"DenseNodes")
              + _bytes_field(16, b"halfhour tests/e2e/asciimap.py"))
    # dense nodes, delta-coded
    did, dlat, dlon, kv = [], [], [], []
    pid = plat = plon = 0
    for k in amap.order:
        lon, lat = amap.coords[k]
        i = ids[k]
        la = int(round(lat * 1e9 / gran))
        lo = int(round(lon * 1e9 / gran))
        did.append(i - pid)
        dlat.append(la - plat)
        dlon.append(lo - plon)
        pid, plat, plon = i, la, lo
        kv += [s("name"), s(k), 0]
    dense = _packed(1, did, True) + _packed(8, dlat, True) + _packed(9, dlon, True) \
        + _packed(10, kv)
    g_nodes = _bytes_field(2, dense)
    g_ways = b""
    for wi, w in enumerate(ways, 1):
        refs, prev = [], 0
        for ch in w.nodes:
            refs.append(ids[ch] - prev)
            prev = ids[ch]
        body = _int_field(1, wi)
        if w.tags:
            body += _packed(2, [s(k) for k, _ in w.tags])
            body += _packed(3, [s(v) for _, v in w.tags])
        body += _packed(8, refs, True)
        g_ways += _bytes_field(3, body)
    st = b"".join(_bytes_field(1, x) for x in strings)
    block = (_bytes_field(1, st) + _bytes_field(2, g_nodes)
             + (_bytes_field(2, g_ways) if g_ways else b"")
             + _int_field(17, gran))
    return _blob("OSMHeader", header) + _blob("OSMData", block)


def points_csv(points):
    lines = ["id,lon,lat"]
    lines += ["%s,%s,%s" % (pid, fmt(lon), fmt(lat)) for pid, lon, lat in points]
    return "\n".join(lines) + "\n"


def write_outputs(amap, ways, points, osm=None, bz2_path=None, pbf=None, csv=None):
    xml = osm_xml(amap, ways)
    if osm:
        with open(osm, "w") as f:
            f.write(xml)
    if bz2_path:
        with open(bz2_path, "wb") as f:
            f.write(bz2.compress(xml.encode()))
    if pbf:
        with open(pbf, "wb") as f:
            f.write(osm_pbf(amap, ways))
    if csv:
        with open(csv, "w") as f:
            f.write(points_csv(points))


def edge_report(amap, ways):
    """Haversine length of every way segment, for checking a case by hand."""
    out = []
    for w in ways:
        total = 0.0
        for a, b in zip(w.nodes, w.nodes[1:]):
            d = haversine(*amap.coords[a], *amap.coords[b])
            total += d
            out.append("  %s-%s %.6f m" % (a, b, d))
        out.append("way %s: %.6f m  %s" % (w.nodes, total,
                                           " ".join("%s=%s" % kv for kv in w.tags)))
    return "\n".join(out)


def selftest():
    bad = 0
    for origin in ((0.0, 0.0), (-51.2, -30.05), (8.5, 49.5), (120.0, 60.0)):
        for grid in (100.0, 37.5, 1000.0):
            text = "\n".join("".join("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[
                (r * 8 + c) % 52] if (r * 8 + c) < 52 else "-" for c in range(8))
                for r in range(6))
            m = AsciiMap(text, grid, origin)
            worst = 0.0
            for k, (c, r) in m.cells.items():
                for k2, (c2, r2) in m.cells.items():
                    if abs(c - c2) + abs(r - r2) == 1:
                        d = haversine(*m.coords[k], *m.coords[k2])
                        worst = max(worst, abs(d - grid))
            # offsets: 50 m east then 20 m north of a node
            lon, lat = m.coords["a"]
            x, y = east(lon, lat, 50.0)
            worst = max(worst, abs(haversine(lon, lat, x, y) - 50.0))
            x, y = north(lon, lat, 20.0)
            worst = max(worst, abs(haversine(lon, lat, x, y) - 20.0))
            ok = worst < 1e-3
            bad += not ok
            print("%s origin=%s grid=%g worst error %.3g m"
                  % ("ok  " if ok else "FAIL", origin, grid, worst))
    # the PBF writer's protobuf primitives
    assert _varint(300) == b"\xac\x02" and _zigzag(-1) == 1 and _zigzag(1) == 2
    return 1 if bad else 0


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", nargs="?", help="a .case file (map:, ways:, points: ...)")
    ap.add_argument("--osm")
    ap.add_argument("--bz2")
    ap.add_argument("--pbf")
    ap.add_argument("--points")
    ap.add_argument("--distances", action="store_true",
                    help="print the haversine length of every way segment")
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args(argv)
    if a.selftest:
        return selftest()
    if not a.case:
        ap.error("a case file is required")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import casefile
    with open(a.case) as f:
        case = casefile.parse(f.read(), a.case)
    amap, ways, points = case.geometry()
    write_outputs(amap, ways, points, a.osm, a.bz2, a.pbf, a.points)
    if a.distances:
        print(edge_report(amap, ways))
        for pid, lon, lat in points:
            print("point %s %s,%s" % (pid, fmt(lon), fmt(lat)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except MapError as e:
        print("asciimap: %s" % e, file=sys.stderr)
        sys.exit(1)
