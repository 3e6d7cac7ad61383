#!/usr/bin/env python3
"""osmconv.py: writes an OSM XML file again as .osm.pbf and .osm.bz2.

    python3 tests/unit/osmconv.py IN.osm OUT.osm.pbf OUT.osm.bz2

For the unit tests that check every input format reads into the same
hh__osm (test_osm.c).  Unlike tests/e2e/asciimap.py, whose protobuf
primitives it reuses, it carries node tags and relations.  Nodes, ways and
relations go to one PrimitiveBlock, a group each (DenseNodes for nodes), in
file order; coordinates are rounded to the PBF's default 100 nanodegrees,
so XML written with at most 7 decimals reads the same in both formats.
"""
import bz2
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from asciimap import _blob, _bytes_field, _int_field, _packed  # noqa: E402


def to_pbf(root):
    strings, sidx = [b""], {}

    def s(x):
        b = x.encode()
        if b not in sidx:
            sidx[b] = len(strings)
            strings.append(b)
        return sidx[b]

    def tags(el):
        return [(t.get("k", ""), t.get("v", "")) for t in el.findall("tag")]

    did, dlat, dlon, kv = [], [], [], []
    pid = plat = plon = 0
    for n in root.findall("node"):
        i = int(n.get("id"))
        la = int(round(float(n.get("lat")) * 1e7))
        lo = int(round(float(n.get("lon")) * 1e7))
        did.append(i - pid)
        dlat.append(la - plat)
        dlon.append(lo - plon)
        pid, plat, plon = i, la, lo
        for k, v in tags(n):
            kv += [s(k), s(v)]
        kv.append(0)
    groups = []
    if did:
        dense = _packed(1, did, True) + _packed(8, dlat, True) + _packed(9, dlon, True) + _packed(10, kv)
        groups.append(_bytes_field(2, dense))
    ways = b""
    for w in root.findall("way"):
        t = tags(w)
        body = _int_field(1, int(w.get("id")))
        if t:
            body += _packed(2, [s(k) for k, _ in t]) + _packed(3, [s(v) for _, v in t])
        refs, prev = [], 0
        for nd in w.findall("nd"):
            r = int(nd.get("ref"))
            refs.append(r - prev)
            prev = r
        body += _packed(8, refs, True)
        ways += _bytes_field(3, body)
    if ways:
        groups.append(ways)
    rels = b""
    for r in root.findall("relation"):
        t = tags(r)
        body = _int_field(1, int(r.get("id")))
        if t:
            body += _packed(2, [s(k) for k, _ in t]) + _packed(3, [s(v) for _, v in t])
        roles, ids, types, prev = [], [], [], 0
        for m in r.findall("member"):
            roles.append(s(m.get("role", "")))
            ref = int(m.get("ref"))
            ids.append(ref - prev)
            prev = ref
            types.append({"node": 0, "way": 1, "relation": 2}[m.get("type")])
        body += _packed(8, roles) + _packed(9, ids, True) + _packed(10, types)
        rels += _bytes_field(4, body)
    if rels:
        groups.append(rels)
    header = _bytes_field(4, b"OsmSchema-V0.6") + _bytes_field(4, b"DenseNodes")
    st = b"".join(_bytes_field(1, x) for x in strings)
    block = _bytes_field(1, st) + b"".join(_bytes_field(2, g) for g in groups) + _int_field(17, 100)
    return _blob("OSMHeader", header) + _blob("OSMData", block)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, pbf, bz = sys.argv[1:]
    data = open(src, "rb").read()
    with open(pbf, "wb") as f:
        f.write(to_pbf(ET.fromstring(data)))
    with open(bz, "wb") as f:
        f.write(bz2.compress(data))


if __name__ == "__main__":
    main()
