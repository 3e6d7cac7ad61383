"""geojsoncheck.py: structural and geometric checks of isochrone GeoJSON.

Pure Python (stdlib), planar geometry on a local equirectangular projection
(fine for the few-kilometre maps of the cases).  The GEOS-based
$HH_TOOLS/geocheck, when built, is run in addition by runcases.py.
"""
import math

R = 6371008.8
K = R * math.pi / 180.0  # metres per degree of latitude


class GeoError(Exception):
    pass


def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def polygons_of(geom):
    """List of polygons (each a list of rings, each a list of (lon, lat))."""
    if not isinstance(geom, dict):
        raise GeoError("geometry is not an object")
    t = geom.get("type")
    c = geom.get("coordinates")
    if t == "Polygon":
        polys = [c]
    elif t == "MultiPolygon":
        polys = c
    else:
        raise GeoError("geometry type %r (want Polygon or MultiPolygon)" % t)
    if not isinstance(polys, list):
        raise GeoError("coordinates is not an array")
    out = []
    for p in polys:
        if not isinstance(p, list) or not p:
            raise GeoError("a polygon without rings")
        rings = []
        for ring in p:
            if not isinstance(ring, list):
                raise GeoError("a ring is not an array")
            pts = []
            for pos in ring:
                if (not isinstance(pos, list) or len(pos) < 2
                        or not _num(pos[0]) or not _num(pos[1])):
                    raise GeoError("bad position %r" % (pos,))
                if not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                    raise GeoError("position out of range %r" % (pos,))
                pts.append((float(pos[0]), float(pos[1])))
            if len(pts) < 4:
                raise GeoError("ring with %d positions (need >= 4)" % len(pts))
            if pts[0] != pts[-1]:
                raise GeoError("ring not closed: %r != %r" % (pts[0], pts[-1]))
            rings.append(pts)
        out.append(rings)
    return out


def _proj(ring, lat0):
    c = math.cos(math.radians(lat0)) * K
    return [(x * c, y * K) for x, y in ring]


def ring_area_m2(ring, lat0):
    """Signed planar area (counter-clockwise positive)."""
    p = _proj(ring, lat0)
    s = 0.0
    for (x1, y1), (x2, y2) in zip(p, p[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def area_km2(polys, lat0):
    a = 0.0
    for rings in polys:
        a += abs(ring_area_m2(rings[0], lat0))
        for h in rings[1:]:
            a -= abs(ring_area_m2(h, lat0))
    return a / 1e6


def _seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    L = dx * dx + dy * dy
    t = 0.0 if L == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L))
    qx, qy = ax + t * dx, ay + t * dy
    return math.hypot(px - qx, py - qy)


def _in_ring(x, y, ring):
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xi:
                inside = not inside
    return inside


def _near_ring(x, y, ring, tol_deg):
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if _seg_dist(x, y, x1, y1, x2, y2) <= tol_deg:
            return True
    return False


def contains(polys, lon, lat, boundary_tol_deg=0.0):
    """True if inside (or, with a tolerance, within it of the boundary)."""
    for rings in polys:
        if boundary_tol_deg > 0 and any(_near_ring(lon, lat, r, boundary_tol_deg)
                                        for r in rings):
            return True
        if _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, h)
                                                    for h in rings[1:]):
            return True
    return False


class Prepared:
    """Polygons with their segments bucketed by latitude, for many
    point-in-polygon queries (the nesting check on real-data isochrones)."""

    def __init__(self, polys, nbins=512):
        self.segs = []  # (x1, y1, x2, y2, poly, ring)
        for pi, rings in enumerate(polys):
            for ri, ring in enumerate(rings):
                for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                    self.segs.append((x1, y1, x2, y2, pi, ri))
        self.n_polys = len(polys)
        ys = [s[1] for s in self.segs] + [s[3] for s in self.segs]
        self.y0 = min(ys) if ys else 0.0
        self.y1 = max(ys) if ys else 0.0
        self.nbins = nbins
        self.h = (self.y1 - self.y0) / nbins or 1.0
        self.bins = [[] for _ in range(nbins)]
        for s in self.segs:
            lo, hi = self._bin(min(s[1], s[3])), self._bin(max(s[1], s[3]))
            for b in range(lo, hi + 1):
                self.bins[b].append(s)

    def _bin(self, y):
        return max(0, min(self.nbins - 1, int((y - self.y0) / self.h)))

    def contains(self, x, y, tol=0.0):
        if not self.segs or y < self.y0 - tol or y > self.y1 + tol:
            return False
        if tol > 0:
            for b in range(self._bin(y - tol), self._bin(y + tol) + 1):
                for x1, y1, x2, y2, _, _ in self.bins[b]:
                    if _seg_dist(x, y, x1, y1, x2, y2) <= tol:
                        return True
        parity = {}
        for x1, y1, x2, y2, pi, ri in self.bins[self._bin(y)]:
            if (y1 > y) != (y2 > y):
                if x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    parity[(pi, ri)] = not parity.get((pi, ri), False)
        for pi in range(self.n_polys):
            if parity.get((pi, 0)) and not any(
                    v for (p, r), v in parity.items() if p == pi and r > 0):
                return True
        return False


def _orient(ax, ay, bx, by, cx, cy):
    v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    return (v > 0) - (v < 0)


def _on_seg(ax, ay, bx, by, cx, cy):
    return min(ax, bx) <= cx <= max(ax, bx) and min(ay, by) <= cy <= max(ay, by)


def _segs_touch(a, b, c, d):
    o1 = _orient(*a, *b, *c)
    o2 = _orient(*a, *b, *d)
    o3 = _orient(*c, *d, *a)
    o4 = _orient(*c, *d, *b)
    if o1 != o2 and o3 != o4:
        return True
    if o1 == 0 and _on_seg(*a, *b, *c):
        return True
    if o2 == 0 and _on_seg(*a, *b, *d):
        return True
    if o3 == 0 and _on_seg(*c, *d, *a):
        return True
    if o4 == 0 and _on_seg(*c, *d, *b):
        return True
    return False


def dedup(ring):
    """The ring without consecutive repeated positions (GEOS accepts them)."""
    out = [ring[0]]
    for p in ring[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def ring_self_intersection(ring, limit=20000):
    """Returns None, or a description of the first two non-adjacent segments
    of the ring that touch or cross (GEOS calls both invalid).  Repeated
    consecutive positions are skipped first."""
    ring = dedup(ring)
    if len(ring) < 4:
        return "fewer than 3 distinct positions"
    n = len(ring) - 1  # segments
    if n > limit:
        return None
    segs = [(min(ring[i][0], ring[i + 1][0]), max(ring[i][0], ring[i + 1][0]), i)
            for i in range(n)]
    segs.sort()
    active = []
    for xmin, xmax, i in segs:
        active = [s for s in active if s[1] >= xmin]
        for _, _, j in active:
            if abs(i - j) == 1 or abs(i - j) == n - 1:
                continue
            if _segs_touch(ring[i], ring[i + 1], ring[j], ring[j + 1]):
                return "segments %d and %d touch or cross near %r" % (
                    min(i, j), max(i, j), ring[i])
        active.append((xmin, xmax, i))
    return None


def validate(fc, n_origins=None, minutes=None, mode=None):
    """Checks a FeatureCollection of isochrone bands.  Returns (errors,
    warnings) as lists of strings."""
    errs, warns = [], []
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        return ["root is not a FeatureCollection"], warns
    feats = fc.get("features")
    if not isinstance(feats, list):
        return ["features is not an array"], warns
    bands = []  # (origin, minutes, polys, index)
    for i, f in enumerate(feats):
        where = "feature %d" % i
        if not isinstance(f, dict) or f.get("type") != "Feature":
            errs.append("%s: not a Feature" % where)
            continue
        props = f.get("properties")
        if not isinstance(props, dict):
            errs.append("%s: no properties" % where)
            continue
        for k in ("minutes", "mode", "area_km2", "origin"):
            if k not in props:
                errs.append("%s: property '%s' missing" % (where, k))
        if errs:
            continue
        if not _num(props["minutes"]) or props["minutes"] <= 0:
            errs.append("%s: minutes %r" % (where, props["minutes"]))
        if not _num(props["area_km2"]) or props["area_km2"] < 0:
            errs.append("%s: area_km2 %r" % (where, props["area_km2"]))
        if not isinstance(props["origin"], int) or isinstance(props["origin"], bool) \
                or props["origin"] < 0:
            errs.append("%s: origin %r is not an index" % (where, props["origin"]))
        if mode is not None and props["mode"] != mode:
            errs.append("%s: mode %r, command asked for %r" % (where, props["mode"], mode))
        try:
            polys = polygons_of(f.get("geometry"))
        except GeoError as e:
            errs.append("%s: %s" % (where, e))
            continue
        lat0 = polys[0][0][0][1] if polys else 0.0
        a = area_km2(polys, lat0)
        if _num(props["area_km2"]) and abs(a - props["area_km2"]) > 0.03 * max(a, props["area_km2"]) + 1e-4:
            errs.append("%s: area_km2 %.6f but the geometry measures %.6f km2"
                        % (where, props["area_km2"], a))
        for pi, rings in enumerate(polys):
            for ri, ring in enumerate(rings):
                if len(dedup(ring)) != len(ring):
                    warns.append("%s polygon %d ring %d: %d repeated consecutive "
                                 "positions" % (where, pi, ri, len(ring) - len(dedup(ring))))
                si = ring_self_intersection(ring)
                if si:
                    errs.append("%s polygon %d ring %d: %s" % (where, pi, ri, si))
                s = ring_area_m2(ring, lat0)
                if (ri == 0) != (s > 0):
                    warns.append("%s polygon %d ring %d: %s ring is %s (RFC 7946 "
                                 "wants outer rings counter-clockwise, holes clockwise)"
                                 % (where, pi, ri, "outer" if ri == 0 else "hole",
                                    "counter-clockwise" if s > 0 else "clockwise"))
            outer = Prepared([[rings[0]]], 64) if len(rings) > 1 else None
            for hi, h in enumerate(rings[1:], 1):
                if not all(outer.contains(x, y, 1e-9) for x, y in h[:-1]):
                    errs.append("%s polygon %d: hole %d is not inside the outer ring"
                                % (where, pi, hi))
        bands.append((props["origin"], props["minutes"], polys, i))
    if errs:
        return errs, warns
    if minutes is not None and n_origins is not None:
        want = sorted((o, float(m)) for o in range(n_origins) for m in minutes)
        got = sorted((o, float(m)) for o, m, _, _ in bands)
        if want != got:
            errs.append("features are (origin, minutes) %s; the command asks for %s"
                        % (got, want))
    # nesting: every vertex of a smaller band lies inside (or on) a larger one
    by_origin = {}
    for o, m, polys, i in bands:
        by_origin.setdefault(o, []).append((m, polys, i))
    for o, lst in by_origin.items():
        lst.sort(key=lambda t: t[0])
        for (m1, p1, i1), (m2, p2, i2) in zip(lst, lst[1:]):
            bad = 0
            big = Prepared(p2)
            for rings in p1:
                for x, y in rings[0][:-1]:
                    if not big.contains(x, y, 2e-7):
                        bad += 1
            if bad:
                errs.append("origin %d: %d vertices of the %g-minute band lie outside "
                            "the %g-minute band (bands must nest)" % (o, bad, m1, m2))
            a1, a2 = area_km2(p1, 0), area_km2(p2, 0)
            if a1 > a2 * (1 + 1e-9):
                errs.append("origin %d: %g-minute band (%.6f km2) larger than the "
                            "%g-minute band (%.6f km2)" % (o, m1, a1, m2, a2))
    return errs, warns
