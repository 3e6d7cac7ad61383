"""halfhour.Network: a network file opened once, and every `halfhour` verb
on it as a method (build, info, isochrones, travel_time_matrix, access,
report, site).  Each method is the CLI verb's library calls, with the same
defaults, checks and messages; results come back as pandas DataFrames and
GeoDataFrames whose columns are named like the CLI's CSV columns (plus
r5py's `travel_time` in minutes), errors as HalfhourError exceptions.
Map data (c) OpenStreetMap contributors, ODbL 1.0."""
import math
import os
import warnings

import numpy as np

from . import _inputs, _opts, _snap
from ._lib import ffi, lib, errbuf, check, text
from .errors import HalfhourWarning, InvalidArgument, NotSnapped, MalformedInput

ATTRIBUTION = "(c) OpenStreetMap contributors, ODbL 1.0"
MAX_ISO_MINUTES = 600.0


def _warn(msg):
    """A HalfhourWarning attributed to the caller's line (the first frame
    outside this package)."""
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    level, f = 1, sys._getframe(1)
    while f is not None and os.path.dirname(os.path.abspath(f.f_code.co_filename)) == here:
        level, f = level + 1, f.f_back
    warnings.warn(msg, HalfhourWarning, stacklevel=level)


def _dptr(a):
    return ffi.cast("double *", ffi.from_buffer(a))


def _u8ptr(a):
    return ffi.cast("unsigned char *", ffi.from_buffer(a))


def _profile(profile=None, settings=None):
    p = ffi.new("hh_profile *")
    lib.hh_profile_default(p)
    err = errbuf()
    if profile is not None:
        check(lib.hh_profile_load(p, os.fsencode(profile), err, len(err)), err)
    if settings:
        items = settings.items() if isinstance(settings, dict) else [s.split("=", 1) if "=" in s else (s, "")
                                                                      for s in settings]
        for k, v in items:
            kv = ("%s=%s" % (k, v)).encode("utf-8")
            rc = lib.hh_profile_set(p, kv, err, len(err))
            if rc:
                check(rc, ffi.new("char[]", ("settings " + text(err)).encode("utf-8")))
    return p


def _profile_dict(p):
    """hh_profile_format's `key = value` lines as `info --json` gives
    them: a value strtod reads whole is a number, others strings."""
    import json
    n = lib.hh_profile_format(p, ffi.NULL, 0)
    buf = ffi.new("char[]", n + 1)
    lib.hh_profile_format(p, buf, n + 1)
    out = {}
    for line in text(buf).split("\n"):
        if " = " not in line:
            continue
        k, v = line.split(" = ", 1)
        try:
            float(v)
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


def _sizes(c):
    """kept sizes up to the first 0, as the CLI's loop reads them"""
    out = []
    for k in range(8):
        if not c.sizes[k]:
            break
        out.append(c.sizes[k])
    return out


def _ring_polygons(band):
    """The MultiPolygon of one hh_isoband (a loop per polygon and ring; the
    coordinates are numpy slices)."""
    from shapely.geometry import MultiPolygon, Polygon
    if band.n_polys == 0:
        return MultiPolygon()
    n_rings = band.poly_first_ring[band.n_polys]
    n_pts = band.ring_first[n_rings]
    ll = np.frombuffer(ffi.buffer(band.lonlat, 16 * n_pts), dtype=np.float64).reshape(-1, 2)
    pfr = np.frombuffer(ffi.buffer(band.poly_first_ring, ffi.sizeof("size_t") * (band.n_polys + 1)), dtype=np.uintp)
    rf = np.frombuffer(ffi.buffer(band.ring_first, ffi.sizeof("size_t") * (n_rings + 1)), dtype=np.uintp)
    polys = []
    for k in range(band.n_polys):
        rings = [ll[rf[r]:rf[r + 1]] for r in range(pfr[k], pfr[k + 1])]
        polys.append(Polygon(rings[0], rings[1:]))
    return MultiPolygon(polys)


def _grid_cells(g):
    """Polygons of every cell of an hh_grid: the corners projected back
    with pyproj in one call (as hh_grid_cell_ring draws them: south-west
    first, counter-clockwise)."""
    from pyproj import Transformer
    from shapely.geometry import Polygon
    nx, ny, cell = g.nx, g.ny, g.cell_m
    xs = g.x0 + cell * np.arange(nx + 1)
    ys = g.y1 - cell * np.arange(ny + 1)
    X, Y = np.meshgrid(xs, ys)
    tr = Transformer.from_crs(text(g.proj), "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(X.ravel(), Y.ravel())
    lon = np.asarray(lon).reshape(ny + 1, nx + 1)
    lat = np.asarray(lat).reshape(ny + 1, nx + 1)
    # cell (r, c): SW (r+1, c), SE (r+1, c+1), NE (r, c+1), NW (r, c)
    r, c = np.divmod(np.arange(g.n), nx)
    cx = np.stack([lon[r + 1, c], lon[r + 1, c + 1], lon[r, c + 1], lon[r, c], lon[r + 1, c]], axis=1)
    cy = np.stack([lat[r + 1, c], lat[r + 1, c + 1], lat[r, c + 1], lat[r, c], lat[r + 1, c]], axis=1)
    ring = np.stack([cx, cy], axis=2)
    return [Polygon(x) for x in ring]


def _base_network(compare):
    """compare= of access, report and isochrones: (the Network, its handle)
    or (None, None)."""
    if compare is None:
        return None, None
    base = compare if isinstance(compare, Network) else Network.open(compare)
    return base, base._h()


def _compare_error(rc, base, err=None):
    """A failure on the base network, named as the CLI names it
    ("--compare BASE: ...")."""
    from . import errors
    msg = text(err) if err is not None else ""
    return errors.from_code(rc, "compare %s: %s" % (base.path, msg or text(lib.hh_strerror(rc))))


class Network:
    """A halfhour network file, mapped read-only (immutable; methods may be
    called from several Python threads at once: every search releases the
    GIL).  Network.open(path) or Network.build(osm, ...); close() or a
    `with` block frees it."""

    def __init__(self, path):
        self.path = os.fspath(path)
        pp = ffi.new("hh_net **")
        err = errbuf()
        check(lib.hh_net_open(os.fsencode(self.path), pp, err, len(err)), err)
        self._net = pp[0]
        self.build_stats = None

    # ---- open, close, build ------------------------------------------------
    @staticmethod
    def verify(path):
        """`halfhour verify NET.hh`: every check of an open, then the CRC-32
        of every section and of the whole body (opening a network over
        64 MiB checks only its structure).  Returns {n_sections,
        sections_checked, bytes_checked, file_bytes}; a damaged file raises
        ChecksumMismatch (naming the section) or another HalfhourError."""
        vi = ffi.new("hh_net_verify_info *")
        err = errbuf()
        check(lib.hh_net_verify(os.fsencode(os.fspath(path)), vi, err, len(err)), err)
        return {"n_sections": vi.n_sections, "sections_checked": vi.sections_checked,
                "bytes_checked": vi.bytes_checked, "file_bytes": vi.file_bytes}

    @classmethod
    def open(cls, path):
        """Maps the network file at path (validated: header, sections,
        checksum; a truncated, corrupted or other-version file raises)."""
        return cls(path)

    def close(self):
        if getattr(self, "_net", None) is not None:
            lib.hh_net_close(self._net)
            self._net = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _h(self):
        if self._net is None:
            raise InvalidArgument("the network is closed")
        return self._net

    def __repr__(self):
        return "halfhour.Network(%r)" % self.path

    @classmethod
    def build(cls, osm, gtfs=(), out=None, *, profile=None, settings=None, timezone=None, strict=False,
              opportunities=(), osm_layers=(), polygons="area", polygon_cell=None, preset_layers=True,
              progress=None):
        """Reads an OpenStreetMap extract (.osm.pbf, .pbf, .osm, .osm.bz2) and
        writes one network file for walk, bike and car, then opens it
        (`halfhour build OSMFILE [--gtfs FEED.zip]... -o NET.hh`).

        out: the network file (default: the OSM file's name with .hh, in the
        current folder); written to a temporary name and renamed when
        complete, so a failed build leaves any old file as it was.
        gtfs: GTFS feeds (.zip) merged into one timetable (ids kept apart
        per feed); every stop joins the walk network within transit.link_m,
        footpaths between stops follow the streets up to
        transit.transfer_m.  GTFS faults whose meaning is unambiguous are
        skipped with a warning kept in the file (info()["gtfs_warnings"]);
        strict=True makes each an error.  timezone: IANA zone for feeds
        whose agency_timezone is blank.
        profile: a settings file of `key = value` lines; settings: a dict
        {key: value} (or ["key=value", ...]) applied after it, the keys of
        `halfhour build --help` (walk.residential_kmh, car.speed_factor,
        car.turn_costs, island.min_vertices, transit.link_m, ...).
        Opportunities (named layers for access(), stored in the network):
        opportunities: files, repeatable (a points CSV -- every other
        all-numeric column a layer, blanks 0 --, GeoJSON points or polygons,
        or a raster GDAL reads); polygons "area" (spread over the polygon on
        a lattice of polygon_cell metres, default 100) or "centroid";
        osm_layers: rules "NAME=KEY=V1,V2[;KEY=V...][@area]" (every node and
        area with such a tag counts 1; @area weighs areas by hectares);
        preset_layers=False skips the 15-minute preset's daily-service
        layers (schools, healthcare, groceries, pharmacies, parks,
        transit_stops) that are extracted by default.
        progress: None, or a function(stage, fraction).
        Returns the opened Network; its .build_stats holds the build's
        report (graph, components per mode, transit, layers)."""
        osm = os.fspath(osm)
        if isinstance(gtfs, (str, os.PathLike)):
            gtfs = [gtfs]
        gtfs = [os.fspath(g) for g in (gtfs or ())]
        if len(gtfs) > 64:
            raise InvalidArgument("at most 64 gtfs feeds")
        if isinstance(opportunities, (str, os.PathLike)):
            opportunities = [opportunities]
        if isinstance(osm_layers, str):
            osm_layers = [osm_layers]
        if out is None:
            base = os.path.basename(osm)
            for suf in (".osm.pbf", ".osm.bz2", ".pbf", ".osm"):
                if len(base) > len(suf) and base.endswith(suf):
                    base = base[:-len(suf)]
                    break
            out = base + ".hh"
        out = os.fspath(out)
        p = _profile(profile, settings)
        keep = []

        def arr(strs):
            if not strs:
                return ffi.NULL
            a = [ffi.new("char[]", os.fsencode(s) if not isinstance(s, bytes) else s) for s in strs]
            keep.append(a)
            c = ffi.new("char *[]", a)
            keep.append(c)
            return c

        bo = ffi.new("hh_build_opts *")
        bo.strict = 1 if strict else 0
        tz = ffi.new("char[]", timezone.encode()) if timezone else ffi.NULL
        bo.timezone = tz
        opp = [os.fspath(o) for o in (opportunities or ())]
        bo.layer_files, bo.n_layer_files = arr(opp), len(opp)
        lo = ffi.new("hh_layers_opts *")
        if polygons not in ("area", "centroid"):
            raise InvalidArgument('polygons "%s": expected area or centroid' % polygons)
        lo.polygons = 0 if polygons == "area" else 1
        if polygon_cell is not None:
            lo.sample_m = _opts.number(polygon_cell, "polygon_cell", 10, 100000, what="metres in [10, 100000]")
        bo.layer_opts = lo
        rules = list(osm_layers or ())
        bo.osm_layers, bo.n_osm_layers = arr(rules), len(rules)
        bo.no_preset = 0 if preset_layers else 1
        st = ffi.new("hh_build_stats *")
        err = errbuf()
        cb = ffi.NULL
        if progress is not None:
            @ffi.callback("void(const char *, double, void *)")
            def cb(stage, frac, ud):
                progress(text(stage), frac)
        gt = arr(gtfs)
        check(lib.hh_build_with(os.fsencode(osm), gt, len(gtfs), p, bo, os.fsencode(out), st, cb, ffi.NULL,
                                err, len(err)), err)
        net = cls(out)
        net.build_stats = _build_stats(st)
        return net

    # ---- scenario ------------------------------------------------------------
    def scenario(self, change, out, *, quiet=True):
        """A new network: this one with a change file applied
        (`halfhour scenario BASE.hh --change CHANGE.geojson -o NEW.hh`);
        returns the new Network, its figures in .scenario_stats.
        change: the change file, a GeoJSON FeatureCollection with one
        modification per Feature, properties.type naming it (add-street,
        modify-street, road-congestion, add-line, adjust-frequency,
        adjust-speed, adjust-dwell, remove-trips, remove-stops, reroute;
        docs/scenarios.md has each with its properties).
        out: the new network file, written atomically; this network's file
        is never written.  Each modification is validated with a one-line
        error naming the Feature, and nothing is written on error.
        quiet: accepted for the CLI's --quiet; the Python call prints
        nothing either way."""
        self._h()
        st = ffi.new("hh_scenario_stats *")
        err = errbuf()
        check(lib.hh_scenario_apply(os.fsencode(self.path), os.fsencode(os.fspath(change)),
                                    os.fsencode(os.fspath(out)), st, err, len(err)), err)
        net = Network(out)
        net.scenario_stats = {"modifications": st.n_mods, "streets_added": st.streets_added,
                              "edges_split": st.edges_split, "edges_changed": st.edges_changed,
                              "stops_added": st.stops_added, "routes_added": st.routes_added,
                              "trips_added": st.trips_added, "trips_removed": st.trips_removed,
                              "trips_changed": st.trips_changed, "seconds": st.seconds,
                              "file_bytes": st.file_bytes, "sha256": text(st.sha256),
                              "summary": text(st.summary)}
        return net

    # ---- info ----------------------------------------------------------------
    def info(self):
        """What `halfhour info NET.hh --json` prints, as a dict: the
        bounding box, vertices, edges and arcs per mode, the components
        (islands) each mode kept and dropped (modes.<mode>.components: kept,
        kept_for_stop, kept_sizes of the largest 8, dropped,
        dropped_vertices, dropped_largest), the car's turn model
        (car_turns: restrictions applied and skipped, moves, barriers,
        signals, turn_costs), the profile settings it was built with, its
        source, with transit each feed and the GTFS warnings of the build
        (gtfs_warnings: [{kind, count, examples}]), and the opportunity
        layers stored (layers: [{name, points, total, blank}]); and the
        bytes one search workspace holds (search_bytes_per_thread,
        search_bytes_per_vertex)."""
        net = self._h()
        i = ffi.new("hh_net_info *")
        lib.hh_net_get_info(net, i)
        r7 = lambda x: float("%.7f" % x)
        d = {"format_version": i.format_version, "file_bytes": i.file_bytes, "source": text(i.source),
             "built_at": text(i.built_at), "bbox": [r7(i.min_lon), r7(i.min_lat), r7(i.max_lon), r7(i.max_lat)],
             "nodes": i.n_nodes, "edges": i.n_edges, "turn_restrictions": i.restrictions,
             "car_turns": {"restrictions_via_node": i.restrictions, "restrictions_via_way": i.restrictions_via_way,
                           "restrictions_skipped": i.restrictions_skipped, "moves": i.turn_moves,
                           "barriers": i.car_barriers, "signals": i.signals,
                           "turn_costs": i.profile.car_turn_costs},
             "barrier_vertex_copies": i.barrier_copies, "modes": {}}
        qb = ffi.new("hh_query_bytes *")
        lib.hh_query_footprint(net, qb)
        d["search_bytes_per_thread"] = qb.total
        d["search_bytes_per_vertex"] = float("%.1f" % qb.per_vertex)
        for m in range(3):
            c = i.comps[m]
            d["modes"][_opts.MODE_NAMES[m]] = {
                "arcs": i.arcs[m], "nodes": i.scc_nodes[m],
                "components": {"kept": c.kept, "kept_for_stop": c.kept_for_stop,
                               "kept_sizes": _sizes(c),
                               "dropped": c.dropped, "dropped_vertices": c.dropped_nodes,
                               "dropped_largest": c.dropped_largest}}
        d["profile"] = _profile_dict(ffi.addressof(i, "profile"))
        feeds = []
        fi = ffi.new("hh_feed_info *")
        for f in range(lib.hh_net_n_feeds(net)):
            if lib.hh_net_feed_info(net, f, fi):
                continue
            feeds.append({"name": text(fi.name), "timezone": text(fi.timezone), "agencies": text(fi.agencies),
                          "first_date": fi.first_date, "last_date": fi.last_date, "stops": fi.stops,
                          "stops_linked": fi.stops_linked, "routes": fi.routes, "trips": fi.trips,
                          "busiest_date": fi.busiest_date, "trips_busiest_day": fi.trips_busiest})
        d["feeds"] = feeds
        ws = []
        w = ffi.new("hh_gtfs_warning *")
        for k in range(lib.hh_net_n_gtfs_warnings(net)):
            if lib.hh_net_gtfs_warning(net, k, w):
                continue
            ws.append({"kind": text(w.kind), "count": w.count,
                       "examples": [text(w.examples[j]) for j in range(w.n_examples)]})
        d["gtfs_warnings"] = ws
        ls = _inputs.net_layers(net)
        v = ls.values()
        d["layers"] = [{"name": n, "points": int(np.count_nonzero(v[:, j])), "total": float(v[:, j].sum()),
                        "blank": int(ls.c.n_blank[j])} for j, n in enumerate(ls.names)]
        d["attribution"] = ATTRIBUTION
        return d

    def layers(self):
        """The opportunity layers stored in the network, as a DataFrame
        lon, lat, then one column per layer."""
        import pandas as pd
        ls = _inputs.net_layers(self._h())
        n = ls.c.n
        df = pd.DataFrame(ls.values().copy(), columns=ls.names)
        df.insert(0, "lat", np.frombuffer(ffi.buffer(ls.c.lat, 8 * n), dtype=np.float64).copy() if n else [])
        df.insert(0, "lon", np.frombuffer(ffi.buffer(ls.c.lon, 8 * n), dtype=np.float64).copy() if n else [])
        return df

    # ---- isochrones ----------------------------------------------------------
    def isochrones(self, points, mode, minutes=(10, 20, 30), *, snap_max=500.0, generalize="auto", denoise=0.0,
                   holes="fill", departure=None, window=60, percentile=50, max_walk=15, max_rides=8, draws=5,
                   walk_speed=None, surface=False, compare=None, threads=None):
        """Areas reachable within given minutes, as a GeoDataFrame
        (`halfhour isochrone NET.hh --from LON,LAT... --mode M --minutes L`):
        one MultiPolygon row per origin and cutoff, with columns origin
        (the point's index), id, from_lon, from_lat, minutes, travel_time
        (the same, r5py's name), mode, area_km2, and for transit
        percentile, depart, window_min; EPSG:4326.
        One street search per origin serves every cutoff. Polygons are
        valid and nested (each cutoff contains the smaller ones) whatever
        the drawing options; as `halfhour isochrone --help` says, a hole
        that holds no street of the mode (or only streets reached in time)
        is filled, the boundaries simplified, and parts and holes under 4
        raster cells dropped; holes="all", generalize=0 gives the strict
        polygons (every hole, and no land farther than iso.buffer_m plus
        one raster cell from a reached street).

        points: the origins (the `--from` points): a GeoDataFrame, a
        DataFrame with lon/lat columns, an (n, 2) array or one (lon, lat).
        mode: walk, bike, car or transit.
        minutes: cutoffs, each in (0, 600] (transit (0, 240]); default
        10, 20, 30.
        snap_max: farthest distance from the mode's network an origin may be
        snapped from, metres (default 500); beyond it NotSnapped, saying why
        (outside the network's area, lon/lat swapped, or how far the nearest
        street is).
        generalize: simplification tolerance, metres (the `--generalize`
        option): no boundary point moves farther; "auto" (the default):
        half a raster cell; 0: none, and no part or hole dropped for size.
        denoise: drop each part smaller than this fraction of the band's
        largest, in [0, 1] (default 0: none; 1: the largest only); the part
        holding the origin always stays.
        holes: "fill" (the hole rule, default) or "all" (keep every hole).
        surface=True (`--surface FILE`): also the travel-time surface, a
        tuple (that, a DataFrame origin, vertex, lon, lat, time_s): every
        street vertex reached within the largest cutoff (transit: at
        percentile), seconds, for later analyses.
        compare: a base network (a Network or a path; `--compare BASE.hh`:
        the network this one was made from by scenario): the same
        isochrones on it too; per origin and cutoff four rows with column
        part = base, scenario, gained (scenario minus base) and lost (base
        minus scenario).
        threads: worker threads (default: all cores); the result is the
        same for any number, rows in the order of points.
        Transit (the network built with gtfs): departure "YYYY-MM-DDTHH:MM",
        local time of the first feed's agency_timezone (required); window:
        one departure per minute over this many minutes (default 60);
        percentile: the travel-time percentile drawn (default 50);
        max_walk: access and egress walk limit, minutes each (default 15);
        max_rides: most vehicles boarded (default 8); walk_speed: km/h for
        this query (default: the network's); draws: Monte-Carlo draws for
        frequency routes without exact times (default 5)."""
        import geopandas
        net = self._h()
        base, bnet = _base_network(compare)
        m, transit = _opts.mode(mode)
        mins = _opts.number_list(minutes, "minutes", 240 if transit else MAX_ISO_MINUTES)
        smax = _opts.snap_max(snap_max)
        pts = _inputs.points(points, "points")
        if transit:
            pct = _opts.number(percentile, "percentile", 1e-9, 100, what="a number in (0, 100]")
        snaps = ffi.new("hh_snap[]", pts.n)
        mname = "walk" if transit else _opts.MODE_NAMES[m]
        for i in range(pts.n):
            rc = lib.hh_snap_point(net, m, pts.lon[i], pts.lat[i], smax, snaps + i)
            if rc:
                where = "point %s at %.6f,%.6f" % (pts.ids[i], pts.lon[i], pts.lat[i])
                msg = _snap.fail_text(net, m, mname, "walkable" if transit else mname, float(pts.lon[i]),
                                      float(pts.lat[i]), smax, where)
                raise NotSnapped(msg)
        iso_o = ffi.new("hh_iso_opts *")
        lib.hh_iso_opts_default(iso_o)
        if not (isinstance(generalize, str) and generalize == "auto"):
            iso_o.generalize_m = _opts.number(generalize, "generalize", 0, 1e5, what='"auto" or metres >= 0')
        iso_o.denoise = _opts.number(denoise, "denoise", 0, 1, what="a number in [0, 1]")
        if holes not in ("fill", "all"):
            raise InvalidArgument('holes %r: expected "fill" or "all"' % (holes,))
        iso_o.holes = lib.HH_ISO_HOLES_FILL if holes == "fill" else lib.HH_ISO_HOLES_ALL
        cmin = ffi.new("double[]", mins)
        rows = {"origin": [], "id": [], "from_lon": [], "from_lat": [], "minutes": [], "mode": [], "area_km2": [],
                "geometry": []}
        if base is not None:
            rows["part"] = []
            bsnaps = ffi.new("hh_snap[]", pts.n)
            for i in range(pts.n):
                if lib.hh_snap_point(bnet, m, pts.lon[i], pts.lat[i], smax, bsnaps + i):
                    raise NotSnapped("point %s at %.6f,%.6f: no street of %s within %g m" % (
                        pts.ids[i], pts.lon[i], pts.lat[i], base.path, smax))

        tp = btp = ffi.NULL
        pct_c = 50.0
        if transit:
            o = _opts.transit_opts(departure, window, max_walk, max_rides, draws, walk_speed, mins[-1] * 60.0)
            dep = "%04d-%02d-%02dT%02d:%02d" % (o.date // 10000, o.date // 100 % 100, o.date % 100,
                                                o.depart_s // 3600, o.depart_s // 60 % 60)
            tp = _opts.prepare_transit(net, o)
            if base is not None:
                btp = _opts.prepare_transit(bnet, o)
            pct_c = pct
        nv = lib.hh_net_n_vertices(net)
        if surface:
            vlon = np.empty(nv, dtype=np.float64)
            vlat = np.empty(nv, dtype=np.float64)
            check(lib.hh_net_vertices(net, 0, nv, _dptr(vlon), _dptr(vlat)))
            srows = {"origin": [], "vertex": [], "lon": [], "lat": [], "time_s": []}

        def add(i, band, part=None):
            rows["origin"].append(i)
            rows["id"].append(pts.ids[i])
            rows["from_lon"].append(float(pts.lon[i]))
            rows["from_lat"].append(float(pts.lat[i]))
            rows["minutes"].append(band.minutes)
            rows["mode"].append(mode)
            rows["area_km2"].append(band.area_km2)
            rows["geometry"].append(_ring_polygons(band))
            if part is not None:
                rows["part"].append(part)

        # every origin searched and drawn on the library's workers
        # (hh_isochrone_many), handed back here in origin order
        failures = []

        @ffi.callback("int(const hh_iso_result *, void *)")
        def deliver(r, ud):
            try:
                i = r.origin
                if surface:
                    surf = np.frombuffer(ffi.buffer(r.surface, 4 * nv), dtype=np.float32)
                    keep = np.flatnonzero(~np.isnan(surf) & (surf <= mins[-1] * 60))
                    srows["origin"].append(np.full(len(keep), i))
                    srows["vertex"].append(keep)
                    srows["lon"].append(vlon[keep])
                    srows["lat"].append(vlat[keep])
                    srows["time_s"].append(surf[keep].astype(np.float64))
                for b in range(r.iso.n_bands):
                    if base is None:
                        add(i, r.iso.bands[b])
                        continue
                    # --compare: per cutoff base, scenario, gained, lost
                    for part, x in (("base", r.base), ("scenario", r.iso), ("gained", r.gained),
                                    ("lost", r.lost)):
                        add(i, x.bands[b], part)
                return 0
            except BaseException as e:  # raised again below, once the run has stopped
                failures.append(e)
                return lib.HH_EIO

        req = ffi.new("hh_iso_many *")
        req.net = net
        req.mode = m
        req.transit = tp
        req.pct = pct_c
        req.origins = snaps
        req.n_origins = pts.n
        req.minutes = cmin
        req.n_minutes = len(mins)
        req.opts = iso_o
        req.threads = _opts.threads(threads)
        req.surface = 1 if surface else 0
        if base is not None:
            req.base_net = bnet
            req.base_transit = btp
            req.base_origins = bsnaps
        failed = ffi.new("size_t *")
        rc = lib.hh_isochrone_many(req, deliver, ffi.NULL, failed)
        if failures:
            raise failures[0]
        if rc:
            i = failed[0]
            check(rc, what="isochrone from %.6f,%.6f" % (pts.lon[i], pts.lat[i]) if i < pts.n else "isochrones")
        gdf = geopandas.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
        gdf.insert(gdf.columns.get_loc("mode"), "travel_time", gdf["minutes"])
        if transit:
            gdf.insert(gdf.columns.get_loc("geometry"), "percentile", pct)
            gdf.insert(gdf.columns.get_loc("geometry"), "depart", dep)
            gdf.insert(gdf.columns.get_loc("geometry"), "window_min", int(o.window_min))
        if base is not None:
            gdf.insert(gdf.columns.get_loc("geometry"), "part", gdf.pop("part"))
        gdf.attrs["attribution"] = ATTRIBUTION
        del tp, btp
        if not surface:
            return gdf
        import pandas as pd
        sdf = pd.DataFrame({k: (np.concatenate(v) if v else np.empty(0)) for k, v in srows.items()})
        sdf["origin"] = sdf["origin"].astype(np.int64)
        sdf["vertex"] = sdf["vertex"].astype(np.int64)
        return gdf, sdf

    # ---- matrix --------------------------------------------------------------
    def travel_time_matrix_arrays(self, origins, destinations=None, mode="walk", *, max_minutes=None,
                                  departure=None, window=60, percentiles=(50,), max_walk=15, max_rides=8, draws=5,
                                  walk_speed=None, snap_max=500.0, threads=None):
        """The matrix as numpy arrays, without a DataFrame: a dict with
        time_s (n_orig x n_dest float64, or n_orig x n_dest x n_pct for
        transit; NaN where unreachable or unsnapped), distance_m (street
        modes), snapped_o, snapped_d (bool), the Points of origins and
        destinations, and percentiles.  Arguments as travel_time_matrix."""
        net = self._h()
        m, transit = _opts.mode(mode)
        smax = _opts.snap_max(snap_max)
        thr = _opts.threads(threads)
        if max_minutes is not None:
            max_minutes = _opts.number(_opts.minutes_of(max_minutes, "max_minutes"), "max_minutes", 1e-9, 1440,
                                       what="minutes in (0, 1440]")
        o = _inputs.points(origins, "origins")
        d = o if destinations is None else _inputs.points(destinations, "destinations")
        mo = ffi.new("hh_matrix_opts *")
        mo.mode = m
        mo.max_s = math.inf if max_minutes is None else max_minutes * 60.0
        mo.snap_max_m = smax
        mo.threads = thr
        pcts = None
        tp = None
        if transit:
            pcts = _opts.number_list(percentiles, "percentiles", 100, 32)
            to = _opts.transit_opts(departure, window, max_walk, max_rides, draws, walk_speed,
                                    120 * 60.0 if max_minutes is None else max_minutes * 60.0)
            tp = _opts.prepare_transit(net, to)
            cp = ffi.new("double[]", pcts)
            mo.transit, mo.pct, mo.n_pct = tp, cp, len(pcts)
        nv = len(pcts) if transit else 1
        time_s = np.empty(o.n * d.n * nv, dtype=np.float64)
        dist_m = None if transit else np.empty(o.n * d.n, dtype=np.float64)
        buf = ffi.new("hh_matrix_buf *")
        buf.time_s = _dptr(time_s)
        buf.dist_m = ffi.NULL if dist_m is None else _dptr(dist_m)
        buf.n_orig, buf.n_dest, buf.n_val = o.n, d.n, nv
        oko = np.zeros(o.n, dtype=np.uint8)
        okd = np.zeros(d.n, dtype=np.uint8)
        rc = lib.hh_matrix_run(net, mo, o.c, d.c, lib.hh_matrix_buf_row, buf, _u8ptr(oko), _u8ptr(okd))
        del tp
        check(rc, what="matrix")
        if buf.rows != o.n:
            raise InvalidArgument("matrix: %d of %d rows delivered" % (buf.rows, o.n))
        # points that did not snap, and why; none at all snapped is an error
        smode, sname = (0, "walk") if transit else (m, mode)
        none = not oko.any() or not okd.any()
        note = "" if none else " (empty times)"
        why_o = _snap.report(net, smode, sname, smax, "origin", o, oko, note)
        why_d = _snap.report(net, smode, sname, smax, "destination", d, okd, note)
        if none:
            first, second = (why_o, why_d) if not oko.any() else (why_d, why_o)
            raise NotSnapped("no %s snapped to the %s network: %s%s%s" % (
                "origin" if not oko.any() else "destination", sname, first, "; and " if second else "",
                second or ""))
        for w in (why_o, why_d):
            if w:
                _warn(w)
        shape = (o.n, d.n, nv) if transit else (o.n, d.n)
        return {"time_s": time_s.reshape(shape), "distance_m": None if transit else dist_m.reshape(o.n, d.n),
                "snapped_o": oko.astype(bool), "snapped_d": okd.astype(bool), "origins": o, "destinations": d,
                "percentiles": pcts}

    def travel_time_matrix(self, origins, destinations=None, mode="walk", *, max_minutes=None, departure=None,
                           window=60, percentiles=(50,), max_walk=15, max_rides=8, draws=5, walk_speed=None,
                           snap_max=500.0, threads=None):
        """Travel times between origin and destination points, as a pandas
        DataFrame (`halfhour matrix NET.hh --origins A --destinations B
        --mode M`): one row per pair, origins in input order, destinations
        in input order within each, columns from_id, to_id,
        travel_time_s, distance_m and travel_time (minutes, r5py's name);
        for transit travel_time_p<pct> (seconds) per percentile, and
        travel_time (minutes) when one percentile is asked.  Times are
        seconds and distances metres, not rounded (the CLI rounds them to
        integers at output); NaN when the destination is not reachable
        (within max_minutes) or a point did not snap.
        Points that cannot snap are named in a HalfhourWarning with the
        reason: outside the network's area (its bbox and source are named;
        lon/lat swapped is pointed out) or farther than snap_max from the
        mode's streets (the nearest is named); when no origin or no
        destination snaps it is a NotSnapped error. Distance counts the
        street path plus both straight connectors between points and
        streets; time includes the connectors at the mode's connector speed.

        origins, destinations: GeoDataFrames (any CRS), DataFrames with
        columns found by name: id; lon|lng|longitude|x; lat|latitude|y, (n, 2)
        arrays or points CSV paths; destinations default to the origins.
        Ids: the id column, else the 1-based row number.
        mode: walk, bike, car or transit.
        max_minutes: stop searching at this many minutes (default: no
        limit; 120 for transit).
        threads: worker threads (default: all cores); the result is
        identical whatever the count.
        snap_max: farthest snapping distance, metres (default 500).
        Transit: departure "YYYY-MM-DDTHH:MM" (or a datetime), local time of
        the first feed's agency_timezone (required); window: minutes, one
        departure per minute (default 60); percentiles: travel-time
        percentiles over the departure minutes x draws, one column each
        (default 50; nearest rank, unreachable departures count as
        slowest); max_walk: access and egress walk limit, minutes each
        (default 15); max_rides: most vehicles boarded (default 8);
        walk_speed: km/h (default the network's); draws: Monte-Carlo draws
        for frequency routes without exact times (default 5)."""
        import pandas as pd
        r = self.travel_time_matrix_arrays(origins, destinations, mode, max_minutes=max_minutes,
                                           departure=departure, window=window, percentiles=percentiles,
                                           max_walk=max_walk, max_rides=max_rides, draws=draws,
                                           walk_speed=walk_speed, snap_max=snap_max, threads=threads)
        o, d = r["origins"], r["destinations"]
        cols = {"from_id": np.repeat(o.ids, d.n), "to_id": np.tile(d.ids, o.n)}
        t = r["time_s"]
        if r["percentiles"] is None:
            cols["travel_time_s"] = t.reshape(-1)
            cols["distance_m"] = r["distance_m"].reshape(-1)
            cols["travel_time"] = cols["travel_time_s"] / 60.0
        else:
            flat = t.reshape(o.n * d.n, -1)
            for k, p in enumerate(r["percentiles"]):
                cols["travel_time_p%g" % p] = flat[:, k]
            if len(r["percentiles"]) == 1:
                cols["travel_time"] = flat[:, 0] / 60.0
        df = pd.DataFrame(cols, copy=False)
        df.attrs["attribution"] = ATTRIBUTION
        return df

    # ---- access --------------------------------------------------------------
    def access(self, mode, *, grid=None, origins=None, opportunities=None, preset=None, opportunities_file=(),
               minutes=None, decay="step", decay_value=None, nearest=None, sfca=None, summary=False,
               weights=None, thresholds=(1,), by_district=None, threads=None, snap_max=500.0, max_minutes=120,
               departure=None, window=60, percentiles=(50,), percentile_of="times", max_walk=15, max_rides=8,
               draws=5, walk_speed=None, out=(), geometry=True, compare=None):
        """Opportunities reached per grid cell or point
        (`halfhour access NET.hh --mode M ...`), as a GeoDataFrame: id, lon,
        lat, then one column per figure, the cell polygons (grid) or the
        points as geometry (EPSG:4326); with summary=True a tuple (that,
        the equity summary DataFrame).
        For every origin -- the cells of a regular grid over the network
        (grid=M metres, default 250, square cells in a Lambert azimuthal
        equal-area projection centred on the region, so every cell covers
        the same ground) or the points of origins -- and every opportunity
        layer and cutoff: the opportunities reached, each weighted by the
        decay function of its travel time t (c the cutoff, v decay_value):
          step               1 if t < c, else 0: cumulative opportunities (default)
          linear             1 up to c - v/2 minutes, 0 from c + v/2, straight
                             between (v: the width, 0 < v < 60; default 10)
          logistic           (1 + exp(-c/s)) / (1 + exp((t - c) / s)), s = v x
                             sqrt(3) / pi minutes (0 < v < 120; default 10)
          exponential        2^(-t / c): c is the half-life
          fixed-exponential  exp(-v x t), t in seconds, 0 < v < 1 (default 0.001)
        as r5r's decay functions. The search stops where every weight is 0
        (or below 1e-4, logistic), or at max_minutes (default 120) for the
        exponentials.
        Layers come from the network (Network.build opportunities /
        osm_layers / the preset; info() lists them) and from
        opportunities_file: files (CSV, GeoJSON, raster) or DataFrames /
        GeoDataFrames (every numeric column a layer), read now; a layer of
        the same name replaces the network's.  opportunities: the layer
        names to report (default all); preset="15min": the daily-service
        layers schools, healthcare, groceries, pharmacies, parks and
        transit_stops (those the network has), minutes 15 unless given,
        and the columns services_<min> (layers reached) and
        all_services_<min> (1 when all are).
        Opportunity points snap to the mode's streets like any point (walk
        for transit); those that do not are left out and named in a
        HalfhourWarning.
        Columns: <layer>_<min>[_p<pct>] access within the cutoff;
        <layer>_nearest[<n>]_min[_p<pct>] minutes to the n-th nearest
        opportunity (nearest=[1, 3]); <supply>_2sfca_<min>[_p<pct>] the
        two-step floating catchment (sfca="beds:population"); NaN where a
        cell's centre is farther than snap_max from the streets.
        Transit gives one value per percentile (percentiles, default 50):
        percentile_of="times" (default, R5's rule) access from the p-th
        percentile travel time to each opportunity; "access" the p-th
        percentile over departures of each departure's access.
        Equity (summary=True): per access column the residents counted
        (weights: a layer, default population; a grid cell weighs the
        layer's total inside it, a point its own column of that name in
        origins; without them every origin counts once), the weighted mean
        and median, the Gini coefficient, the Palma ratio and the share of
        residents with access >= each of thresholds (default 1); per
        district too with by_district (GeoJSON polygons).  Columns:
        column, district, residents, places, mean, median, gini, palma,
        share_ge_<t>.
        out: files to write as well (up to 4; by suffix .csv, .geojson,
        .gpkg, .tif -- GeoTIFF for a grid only), each complete or not at
        all, through the library's writers.
        threads: worker threads (default all cores; output identical);
        snap_max: farthest snapping distance, metres (default 500).
        Transit: departure (required), window, max_walk, max_rides,
        walk_speed, draws as for travel_time_matrix.
        geometry=False leaves the geometry out (a plain DataFrame).
        compare: a base network (a Network or a path; `--compare BASE.hh`:
        the network this one was made from by scenario): the same run on
        it too; per column c the columns c_base, c_scenario and c_diff
        (scenario minus base; NaN where either has none), in out files too
        (a GeoTIFF gets their bands)."""
        import pandas as pd
        net = self._h()
        base, bnet = _base_network(compare)
        m, transit = _opts.mode(mode)
        if grid is not None and origins is not None:
            raise InvalidArgument("grid and origins exclude each other")
        grid_m = 250.0 if grid is None else _opts.number(grid, "grid", 10, 100000, what="metres in [10, 100000]")
        if preset is not None and preset != "15min":
            raise InvalidArgument('preset "%s": the preset is 15min' % preset)
        if preset and sfca:
            raise InvalidArgument("preset 15min is about daily services reached, not sfca")
        dec = ffi.new("hh_decay *")
        if lib.hh_decay_parse(str(decay).encode(), dec):
            raise InvalidArgument('decay "%s": expected step, linear, logistic, exponential or fixed-exponential'
                                  % decay)
        dec = dec[0]
        if decay_value is None:
            decay_value = {1: 10.0, 2: 10.0, 4: 0.001}.get(int(dec), 0.0)
        else:
            decay_value = _opts.number(decay_value, "decay_value", 0, 1e6, what="a non-negative number")
        if lib.hh_decay_check(dec, decay_value):
            raise InvalidArgument("decay_value %g is out of range for %s decay" % (decay_value, decay))
        if percentile_of not in ("times", "access"):
            raise InvalidArgument('percentile_of "%s": expected times or access' % percentile_of)
        mins = _opts.number_list(minutes if minutes is not None else (15 if preset else 30), "minutes", 1440)
        pcts = _opts.number_list(percentiles, "percentiles", 100, 16) if transit else [50.0]
        thr = _opts.number_list(thresholds, "thresholds", 1e15, 8)
        near = []
        if nearest is not None:
            near = _opts.number_list(nearest, "nearest", 1e9, 16)
            for x in near:
                if x != math.floor(x):
                    raise InvalidArgument("nearest: %g is not a whole number" % x)
        max_min = _opts.number(max_minutes, "max_minutes", 1e-9, 1440, what="minutes in (0, 1440]")
        smax = _opts.snap_max(snap_max)
        thr_n = _opts.threads(threads)
        outs = [out] if isinstance(out, (str, os.PathLike)) else list(out or ())
        if len(outs) > 4:
            raise InvalidArgument("at most 4 out files")
        fmts = []
        for f in outs:
            fm = ffi.new("hh_table_format *")
            if lib.hh_table_format_of(os.fsencode(f), fm):
                raise InvalidArgument("out %s: expected a .csv, .geojson, .gpkg or .tif file" % f)
            if fm[0] == 3 and origins is not None:
                raise InvalidArgument("out %s: a GeoTIFF needs a grid, not origins points" % f)
            fmts.append(fm[0])
        notes = []
        ls = _inputs.net_layers(net, opportunities_file, notes)
        for n_ in notes:
            _warn(n_)
        names = ls.names
        vals = ls.values()
        sel, missing = [], []
        if preset and opportunities is None:
            for nm in ("schools", "healthcare", "groceries", "pharmacies", "parks", "transit_stops"):
                k = ls.find(nm)
                if k >= 0 and vals[:, k].sum() > 0:
                    sel.append(k)
                else:
                    missing.append(nm)
            if not sel:
                raise InvalidArgument("%s: none of the 15-minute preset's layers has an opportunity (build it with "
                                      "the preset, or give opportunities_file)" % self.path)
        elif opportunities is not None:
            want = opportunities.split(",") if isinstance(opportunities, str) else list(opportunities)
            for nm in want:
                k = ls.find(str(nm))
                if k < 0:
                    raise InvalidArgument('opportunities: no layer "%s" (the layers: %s)' %
                                          (nm, ", ".join(names) or "none"))
                sel.append(k)
        elif not sfca:
            sel = list(range(min(len(names), 64)))
        supply = demand = -1
        if sfca:
            s_, d_ = (sfca.split(":", 1) if isinstance(sfca, str) and ":" in sfca else
                      (tuple(sfca) if not isinstance(sfca, str) else (None, None)))
            if s_ is None:
                raise InvalidArgument('sfca "%s": expected SUPPLY:DEMAND layer names' % sfca)
            supply, demand = ls.find(s_), ls.find(d_)
            if supply < 0 or demand < 0:
                raise InvalidArgument('sfca: no layer "%s"' % (s_ if supply < 0 else d_))
        if not names or (not sel and supply < 0):
            raise InvalidArgument("%s: no opportunity layers (build with opportunities or osm_layers, or give "
                                  "opportunities_file)" % self.path)
        # the origins
        g = None
        if origins is not None:
            pts = _inputs.points(origins, "origins")
            cpts = pts.c
        else:
            g = ffi.new("hh_grid *")
            err = errbuf()
            check(lib.hh_grid_make(net, grid_m, g, err, len(err)), err)
            g = ffi.gc(g, lib.hh_grid_free)
            cpts = ffi.new("hh_points *")
            cpts.n, cpts.lon, cpts.lat, cpts.id = g.n, g.lon, g.lat, ffi.NULL
        n_orig = cpts.n
        # what the summary needs, checked before the long part
        w = None
        equal_w = False
        dist = None
        dist_of = None
        if summary:
            wname = weights if weights is not None else "population"
            wl = ls.find(wname)
            if weights is not None and origins is None and wl < 0:
                raise InvalidArgument('weights: no layer "%s"' % wname)
            w = None
            if origins is not None:
                if pts.frame is not None and wname in pts.frame.columns:
                    w = pd.to_numeric(pts.frame[wname], errors="coerce").to_numpy(dtype=float)
                elif isinstance(origins, (str, os.PathLike)):
                    ol = _inputs.Layers()
                    err = errbuf()
                    if lib.hh_layers_read(os.fsencode(origins), ffi.NULL, ol.c, err, len(err)) == 0:
                        k = ol.find(wname)
                        if k >= 0 and ol.c.n == n_orig:
                            w = ol.values()[:, k].copy()
                if w is None and weights is not None:
                    raise InvalidArgument('origins: no numeric column "%s" for the weights' % wname)
            elif wl >= 0:
                cell = np.empty(ls.c.n, dtype=np.uintp)
                if ls.c.n:
                    check(lib.hh_grid_cells_of(g, ls.c.lon, ls.c.lat, ls.c.n,
                                               ffi.cast("size_t *", ffi.from_buffer(cell))))
                v = vals[:, wl]
                ok = (v > 0) & (cell != np.uintp(np.iinfo(np.uintp).max))
                w = np.zeros(n_orig)
                np.add.at(w, cell[ok].astype(np.int64), v[ok])
            if w is None:
                equal_w = True
                w = np.ones(n_orig)
            w = np.ascontiguousarray(w, dtype=np.float64)
            if by_district is not None:
                dp = ffi.new("hh_districts **")
                err = errbuf()
                check(lib.hh_districts_read(os.fsencode(by_district), dp, err, len(err)), err)
                dist = ffi.gc(dp[0], lib.hh_districts_free)
                dist_of = np.empty(n_orig, dtype=np.int32)
                check(lib.hh_districts_assign(dist, cpts.lon, cpts.lat, n_orig,
                                              ffi.cast("int32_t *", ffi.from_buffer(dist_of))))
        tp = None
        if transit:
            reach = 0.0
            for c in mins:
                reach = max(reach, lib.hh_decay_reach(dec, decay_value, c * 60, max_min * 60))
            to = _opts.transit_opts(departure, window, max_walk, max_rides, draws, walk_speed,
                                    max_min * 60 if nearest is not None else math.ceil(reach))
            tp = _opts.prepare_transit(net, to)
        ao = ffi.new("hh_access_opts *")
        ao.mode = m
        ao.transit = tp if tp is not None else ffi.NULL
        c_pct = ffi.new("double[]", pcts)
        ao.pct, ao.n_pct = c_pct, len(pcts)
        ao.pct_of = 0 if percentile_of == "times" else 1
        c_min = ffi.new("double[]", mins)
        ao.minutes, ao.n_minutes = c_min, len(mins)
        ao.decay, ao.decay_value = dec, decay_value
        c_sel = ffi.new("size_t[]", sel or [0])
        ao.layers, ao.n_layers = c_sel, len(sel)
        c_near = ffi.new("unsigned[]", [int(x) for x in near] or [0])
        ao.nearest, ao.n_nearest = c_near, len(near)
        ao.sfca_supply, ao.sfca_demand = supply, demand
        ao.max_s, ao.snap_max_m, ao.threads = max_min * 60, smax, thr_n
        t = ffi.new("hh_table *")
        st = ffi.new("hh_access_stats *")
        err = errbuf()
        check(lib.hh_access_run(net, ao, ls.c, cpts, t, st, err, len(err)), err)
        t = ffi.gc(t, lib.hh_table_free)
        del tp
        mname = "walk" if transit else mode
        if st.origins_snapped == 0:
            raise NotSnapped("no origin snapped to the %s network within %g m" % (mname, smax))
        if preset:
            # the 15-minute check's services_<min> and all_services_<min>, as the CLI adds them
            check(lib.hh_table_add_services(t, len(sel), len(mins), c_min))
        if g is not None:
            t.grid = g
        if base is not None:
            # the same run on the base: the same origins and opportunity points
            bt = ffi.new("hh_table *")
            bst = ffi.new("hh_access_stats *")
            btp = _opts.prepare_transit(bnet, to) if transit else None
            ao.transit = btp if btp is not None else ffi.NULL
            err = errbuf()
            rc = lib.hh_access_run(bnet, ao, ls.c, cpts, bt, bst, err, len(err))
            if rc:
                raise _compare_error(rc, base, err)
            bt = ffi.gc(bt, lib.hh_table_free)
            del btp
            if preset:
                check(lib.hh_table_add_services(bt, len(sel), len(mins), c_min))
            if g is not None:
                bt.grid = g
            both = ffi.new("hh_table *")
            check(lib.hh_table_compare(bt, t, both), what="compare")
            t = ffi.gc(both, lib.hh_table_free)
            del bt
        cols = [text(t.col[j]) for j in range(t.n_cols)]
        v = np.frombuffer(ffi.buffer(t.v, 8 * t.n_rows * t.n_cols), dtype=np.float64).reshape(t.n_rows, t.n_cols)
        v = v.copy()
        for f, fm in zip(outs, fmts):
            err = errbuf()
            check(lib.hh_table_write(t, fm, os.fsencode(f), b"access", err, len(err)), err)
        n = t.n_rows
        lon = np.frombuffer(ffi.buffer(t.lon, 8 * n), dtype=np.float64).copy()
        lat = np.frombuffer(ffi.buffer(t.lat, 8 * n), dtype=np.float64).copy()
        ids = pts.ids if origins is not None else np.arange(n)
        df = pd.DataFrame({"id": ids, "lon": lon, "lat": lat})
        df = pd.concat([df, pd.DataFrame(v, columns=cols)], axis=1)
        if st.opp_unsnapped:
            lost = " ".join("%s %.10g" % (names[sel[k]], st.opp_lost[k]) for k in range(min(len(sel), 64))
                            if st.opp_lost[k] > 0)
            _warn("%d opportunity points did not snap and are left out: %s" % (st.opp_unsnapped, lost))
        if missing:
            _warn("the 15-minute check leaves out %s (no such opportunity in the network)" % ", ".join(missing))
        stats = {"origins": st.origins, "origins_snapped": st.origins_snapped, "opp_points": st.opp_points,
                 "opp_unsnapped": st.opp_unsnapped, "seconds": st.seconds}
        if geometry:
            import geopandas
            geom = _grid_cells(g) if g is not None else geopandas.points_from_xy(lon, lat)
            df = geopandas.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")
        df.attrs["attribution"] = ATTRIBUTION
        df.attrs["stats"] = stats
        if not summary:
            return df
        if equal_w:
            _warn('no population %s: the summary weighs every %s the same ("residents" counts them)' %
                  ("column in origins" if origins is not None else "layer",
                   "point" if origins is not None else "grid cell"))
        return df, _equity_table(v, cols, w, thr, dist, dist_of)

    # ---- report --------------------------------------------------------------
    def report(self, centres, minutes=30, modes=("car",), *, layer=None, by_district=None, threads=None,
               snap_max=500.0, departure=None, window=60, percentiles=(50,), percentile=50, max_walk=15,
               max_rides=8, draws=5, walk_speed=None, out=None, compare=None):
        """The half-hour-circle report for named centres
        (`halfhour report NET.hh --centres C.csv --minutes T --modes L -o DIR/`),
        as a dict of DataFrames: per mode, the centre-to-centre travel times
        and which pairs lie within T minutes of each other ("times": mode,
        from_id, from_name, to_id, to_name, percentile, minutes, within);
        each centre's T-minute circle (the isochrone of the same search)
        and the union of the circles, with their area and the residents
        inside -- the points of layer (default population, when the network
        has it) reached in less than T, the rule of access's cumulative
        measure -- and their share of the layer's total ("circles", a
        GeoDataFrame: mode, centre_id, centre_name, minutes, area_km2,
        <layer>_inside, share, geometry; the union as centre "union");
        with by_district (GeoJSON polygons, each point in the first
        district that holds it) "districts": district, mode, <layer>,
        inside_union, share_union, mean_min_nearest, inside_<centre id>...
        centres: a DataFrame / GeoDataFrame with id, name (optional; UTF-8,
        any script) and lon/lat, or a CSV path; at most 64.
        modes: walk, bike, car, transit (default car); minutes: the
        circle's cutoff T (default 30).
        percentiles: transit, the centre-to-centre times at these
        percentiles of the departures (default 50); percentile: the one the
        circles and the residents inside use (default 50: the median
        departure); transit times are searched up to 2T (at least 60
        minutes), farther ones are NaN.
        out: a folder to write the CLI's files into as well (index.html,
        report.md, circles.geojson, times.csv, circles.csv, districts.csv).
        threads, snap_max: as for travel_time_matrix; transit: departure
        (required), window, max_walk, max_rides, walk_speed, draws.
        compare: a base network (a Network or a path; `--compare BASE.hh`:
        the network this one was made from by scenario): the same report on
        it too; "compare" (mode, measure, base, scenario, difference: the
        union's area, residents inside, residents newly inside the circle
        and those no longer inside, each circle's area) and, with
        by_district, "compare_districts" (mode, district, residents,
        inside_base, inside_scenario, difference, newly_inside,
        no_longer_inside): the CLI's compare.csv and compare_districts.csv,
        read back from the library's writer (out, or a temporary folder)."""
        import geopandas
        import pandas as pd
        from shapely.geometry import shape
        import json
        net = self._h()
        base, bnet = _base_network(compare)
        T = _opts.number(minutes, "minutes", 1e-9, 1440, what="minutes in (0, 1440]")
        mode_list = modes.split(",") if isinstance(modes, str) else list(modes)
        if not mode_list:
            raise InvalidArgument("modes: no mode")
        if len(mode_list) > 8:
            raise InvalidArgument("modes: at most 8")
        seen = set()
        for x in mode_list:
            if x != "transit" and x not in _opts.MODES:
                raise InvalidArgument('modes: unknown mode "%s" (expected walk, bike, car or transit)' % x)
            if x in seen:
                raise InvalidArgument('modes: "%s" given twice' % x)
            seen.add(x)
        want_transit = "transit" in seen
        if want_transit and departure is None:
            raise InvalidArgument("modes transit needs departure=\"YYYY-MM-DDTHH:MM\"")
        pcts = _opts.number_list(percentiles, "percentiles", 100, 8)
        cpct = _opts.number(percentile, "percentile", 1e-9, 100, what="a percentile in (0, 100]")
        smax = _opts.snap_max(snap_max)
        thr = _opts.threads(threads)
        c = _inputs.Centres(centres)
        ls = _inputs.net_layers(net)
        wl = ls.find(layer if layer is not None else "population")
        if layer is not None and wl < 0:
            raise InvalidArgument('layer: the network has no layer "%s" (info() lists its layers)' % layer)
        dist = ffi.NULL
        if by_district is not None:
            dp = ffi.new("hh_districts **")
            err = errbuf()
            check(lib.hh_districts_read(os.fsencode(by_district), dp, err, len(err)), err)
            dist = ffi.gc(dp[0], lib.hh_districts_free)
        tp = ffi.NULL
        if want_transit:
            to = _opts.transit_opts(departure, window, max_walk, max_rides, draws, walk_speed, max(2 * T, 60) * 60)
            tp = _opts.prepare_transit(net, to)
        mo = ffi.new("hh_report_mode_opts[]", len(mode_list))
        for k, x in enumerate(mode_list):
            if x == "transit":
                mo[k].mode, mo[k].transit = 0, tp
            else:
                mo[k].mode, mo[k].transit = _opts.MODES[x], ffi.NULL
        ro = ffi.new("hh_report_opts *")
        c_p = ffi.new("double[]", pcts)
        ro.minutes, ro.modes, ro.n_modes, ro.pct, ro.n_pct = T, mo, len(mode_list), c_p, len(pcts)
        ro.circle_pct, ro.layers, ro.weight_layer, ro.districts = cpct, ls.c, wl, dist
        ro.snap_max_m, ro.threads = smax, thr
        rep = ffi.new("hh_report *")
        err = errbuf()
        check(lib.hh_report_run(net, ro, c.c, rep, err, len(err)), err)
        rep = ffi.gc(rep, lib.hh_report_free)
        n = c.c.n
        sn = np.frombuffer(ffi.buffer(rep.snapped, len(mode_list) * n), dtype=np.uint8).reshape(len(mode_list), n)
        if not sn.any(axis=0).any():
            raise NotSnapped("no centre snapped to the network within %g m (see info() for its area)" % smax)
        cmp_frames = {}
        if base is not None:
            # the same report on the base: its own prepared day, the same options
            btp = _opts.prepare_transit(bnet, to) if want_transit else ffi.NULL
            for k, x in enumerate(mode_list):
                if x == "transit":
                    mo[k].transit = btp
            brep = ffi.new("hh_report *")
            err = errbuf()
            rc = lib.hh_report_run(bnet, ro, c.c, brep, err, len(err))
            if rc:
                raise _compare_error(rc, base, err)
            brep = ffi.gc(brep, lib.hh_report_free)
            rep.compare_base = brep
            bname = ffi.new("char[]", os.path.basename(base.path).encode("utf-8"))
            rep.compare_name = bname
        if out is not None or base is not None:
            import tempfile
            with tempfile.TemporaryDirectory() as td:
                d = os.fspath(out) if out is not None else os.path.join(td, "report")
                err = errbuf()
                check(lib.hh_report_write(net, rep, os.fsencode(d), err, len(err)), err)
                for name in ("compare", "compare_districts"):
                    f = os.path.join(d, name + ".csv")
                    if base is not None and os.path.exists(f):
                        cmp_frames[name] = pd.read_csv(f, keep_default_na=False, na_values=[""],
                                                       dtype={"measure": str, "district": str})
        if base is not None:
            rep.compare_base = ffi.NULL
            del brep, btp
        miss = [c.ids[i] for i in range(n) if not sn[:, i].all()]
        if miss:
            _warn("centres that did not snap in every mode (no times, no circle there): %s" % ", ".join(miss))
        # the tables, as report_write.c writes them
        times = {k: [] for k in ("mode", "from_id", "from_name", "to_id", "to_name", "percentile", "minutes",
                                 "within")}
        wn = text(rep.weight_name)
        circ = {k: [] for k in ("mode", "centre_id", "centre_name", "minutes", "area_km2",
                                "%s_inside" % (wn or "layer"), "share", "geometry")}
        total = rep.total
        for k in range(rep.n_modes):
            md = rep.modes[k]
            name = text(md.name)
            nv = md.n_val
            ts = np.frombuffer(ffi.buffer(md.time_s, 8 * n * n * nv), dtype=np.float64).reshape(n, n, nv) / 60.0
            is_tr = nv > 1 or name == "transit"
            ii, jj, pp = np.meshgrid(np.arange(n), np.arange(n), np.arange(nv), indexing="ij")
            times["mode"] += [name] * (n * n * nv)
            times["from_id"] += [c.ids[i] for i in ii.ravel()]
            times["from_name"] += [c.names[i] for i in ii.ravel()]
            times["to_id"] += [c.ids[j] for j in jj.ravel()]
            times["to_name"] += [c.names[j] for j in jj.ravel()]
            times["percentile"] += list(np.array(pcts)[pp.ravel()]) if is_tr else [np.nan] * (n * n * nv)
            tv = ts.ravel()
            times["minutes"] += list(tv)
            times["within"] += list(((~np.isnan(tv)) & (tv < T)).astype(int))
            for i in range(n + 1):
                u = i == n
                circ["mode"].append(name)
                circ["centre_id"].append("union" if u else c.ids[i])
                circ["centre_name"].append("union of the circles" if u else c.names[i])
                circ["minutes"].append(T)
                circ["area_km2"].append(md.union_km2 if u else md.circle_km2[i])
                if wn:
                    inside = md.union_inside if u else md.inside[i]
                    circ["%s_inside" % wn].append(inside)
                    circ["share"].append(inside / total if total > 0 else np.nan)
                else:
                    circ["layer_inside"].append(np.nan)
                    circ["share"].append(np.nan)
                if u:
                    gj = text(md.union_geojson) if md.union_geojson != ffi.NULL else ""
                    circ["geometry"].append(shape(json.loads(gj)) if gj else None)
                else:
                    ci = md.circle[i]
                    circ["geometry"].append(_ring_polygons(ci.bands[ci.n_bands - 1]) if ci.n_bands else None)
        res = {"times": pd.DataFrame(times),
               "circles": geopandas.GeoDataFrame(circ, geometry="geometry", crs="EPSG:4326")}
        if rep.n_d:
            nd = rep.n_d
            drows = []
            for d in range(nd):
                for k in range(rep.n_modes):
                    md = rep.modes[k]
                    di = [md.d_inside[d * (n + 1) + i] for i in range(n + 1)]
                    dt = rep.d_total[d]
                    row = {"district": text(rep.d_name[d]), "mode": text(md.name), (wn or "layer"): dt,
                           "inside_union": di[n], "share_union": di[n] / dt if dt > 0 else np.nan,
                           "mean_min_nearest": md.d_mean_min[d]}
                    for i in range(n):
                        row["inside_%s" % c.ids[i]] = di[i]
                    drows.append(row)
            res["districts"] = pd.DataFrame(drows)
        res.update(cmp_frames)
        res["summary"] = {"layer": wn, "total": total, "outside_districts": rep.outside_districts,
                          "attribution": ATTRIBUTION}
        if wl < 0:
            _warn("the network has no population layer: times and areas only")
        return res

    # ---- site ----------------------------------------------------------------
    def site(self, mode, minutes, demand, *, candidates=None, grid=None, k=None, cover=None, existing=None,
             opportunities_file=(), exact=False, time_limit=None, threads=None, snap_max=500.0, percentile=50,
             departure=None, window=60, max_walk=15, max_rides=8, draws=5, walk_speed=None):
        """Facility siting (`halfhour site NET.hh --mode M --minutes T
        --demand LAYER (--candidates F | --grid M) (--k N | --cover F)`),
        as a DataFrame rank, id, lon, lat, marginal, covered, covered_share
        (one row per chosen site in the order chosen; .attrs["summary"]:
        demand_total, covered_before, covered_after, coverable, method,
        gap, bound, seconds, unsnapped counts).
        A demand point (a point of the layer demand with a value above 0,
        e.g. population; from the network, see info(), or from
        opportunities_file, read now as access does) is covered by a site
        when the travel time from it to the site is below T minutes: t < T,
        the rule of access's cumulative measure.  Sites are the candidates
        (points: a DataFrame, GeoDataFrame or CSV path; or grid=M: every
        cell centre of an M-metre grid over the network, ids the cell
        numbers) and the existing facilities (existing), which are kept,
        never chosen: the demand they cover is "covered before" and adds to
        no site's marginal.
        k=N: maximal covering location (MCLP), at most N candidates that
        together cover the most demand; cover=F: set covering, the fewest
        candidates whose coverage, with the existing facilities', reaches
        the share F of all demand (0 < F <= 1); OutOfRange when every
        candidate together falls short.
        By default greedy (lazy evaluation; within 1 - 1/e of the best for
        MCLP); exact=True solves the mixed-integer program with GLPK within
        time_limit seconds (default 60), keeping the best solution found
        and reporting the optimality gap.  Fewer than N sites come back
        when the others would add no demand.
        Demand points and sites snap to the mode's streets (walk for
        transit); those that do not are named in a HalfhourWarning (their
        demand stays in the total, uncovered; such sites cover nothing).
        threads, snap_max: as for travel_time_matrix; percentile: transit,
        the travel time's percentile over the departure minutes x draws
        that must be below T (default 50); transit: departure (required),
        window, max_walk, max_rides, walk_speed, draws."""
        import pandas as pd
        net = self._h()
        m, transit = _opts.mode(mode)
        T = _opts.number(minutes, "minutes", 1e-9, 1440, what="one time in minutes in (0, 1440]")
        if (candidates is None) == (grid is None):
            raise InvalidArgument("give the candidate sites: candidates or grid (one of them)")
        if (k is None) == (cover is None):
            raise InvalidArgument("give k (maximal covering) or cover (set covering), one of them")
        if time_limit is not None and not exact:
            raise InvalidArgument("time_limit is for exact=True")
        kk = 0 if k is None else int(_opts.number(k, "k", 1, 1000000, True,
                                                   "a whole number of sites in [1, 1000000]"))
        cv = 0.0 if cover is None else _opts.number(cover, "cover", 1e-12, 1,
                                                    what="a share of the demand in (0, 1], e.g. 0.9")
        tl = 60.0 if time_limit is None else _opts.number(time_limit, "time_limit", 1e-3, 1e6,
                                                          what="seconds in [0.001, 1000000]")
        pc = _opts.number(percentile, "percentile", 1e-9, 100, what="a percentile in (0, 100]")
        smax = _opts.snap_max(snap_max)
        thr = _opts.threads(threads)
        notes = []
        ls = _inputs.net_layers(net, opportunities_file, notes)
        for n_ in notes:
            _warn(n_)
        dl = ls.find(demand)
        if dl < 0:
            raise InvalidArgument('demand: no layer "%s" (the layers: %s)' % (demand, ", ".join(ls.names) or "none"))
        g = None
        if candidates is not None:
            cp = _inputs.points(candidates, "candidates")
            cc = cp.c
            cids, clon, clat = cp.ids, cp.lon, cp.lat
        else:
            gm = _opts.number(grid, "grid", 10, 100000, what="metres in [10, 100000]")
            g = ffi.new("hh_grid *")
            err = errbuf()
            check(lib.hh_grid_make(net, gm, g, err, len(err)), err)
            g = ffi.gc(g, lib.hh_grid_free)
            cc = ffi.new("hh_points *")
            cc.n, cc.lon, cc.lat, cc.id = g.n, g.lon, g.lat, ffi.NULL
            cids = np.arange(g.n)
            clon = np.frombuffer(ffi.buffer(g.lon, 8 * g.n), dtype=np.float64)
            clat = np.frombuffer(ffi.buffer(g.lat, 8 * g.n), dtype=np.float64)
        ex = _inputs.points(existing, "existing").c if existing is not None else ffi.NULL
        tp = ffi.NULL
        if transit:
            to = _opts.transit_opts(departure, window, max_walk, max_rides, draws, walk_speed, math.ceil(T * 60))
            tp = _opts.prepare_transit(net, to)
        so = ffi.new("hh_site_opts *")
        so.mode, so.transit, so.percentile, so.minutes, so.k = m, tp, pc, T, kk
        so.cover, so.exact, so.time_limit_s, so.snap_max_m, so.threads = cv, 1 if exact else 0, tl, smax, thr
        res = ffi.new("hh_site_result *")
        err = errbuf()
        check(lib.hh_site_run(net, so, ls.c, dl, cc, ex, res, err, len(err)), err)
        res = ffi.gc(res, lib.hh_site_result_free)
        sname = "walk" if transit else mode
        if res.candidates_unsnapped == cc.n:
            raise NotSnapped("no candidate site snapped to the %s network within %g m" % (sname, smax))
        if res.demand_unsnapped == res.demand_points:
            raise NotSnapped('no demand point of "%s" snapped to the %s network within %g m' % (demand, sname, smax))
        nc = res.n_chosen
        ch = np.array([res.chosen[i] for i in range(nc)], dtype=np.int64)
        marg = np.frombuffer(ffi.buffer(res.marginal, 8 * nc), dtype=np.float64).copy() if nc else np.zeros(0)
        cov = np.frombuffer(ffi.buffer(res.covered, 8 * nc), dtype=np.float64).copy() if nc else np.zeros(0)
        tot = res.demand_total
        df = pd.DataFrame({"rank": np.arange(1, nc + 1), "id": np.asarray(cids)[ch], "lon": np.asarray(clon)[ch],
                           "lat": np.asarray(clat)[ch], "marginal": marg, "covered": cov,
                           "covered_share": cov / tot if tot > 0 else np.zeros(nc)})
        if not exact:
            method = "greedy%s" % ("" if cv > 0 else " (within 1-1/e of optimal)")
        elif res.optimal:
            method = "exact (GLPK): optimal, gap 0"
        else:
            method = "exact (GLPK): %s" % ("time limit reached" if res.time_limit else "not proven optimal")
        df.attrs["summary"] = {"demand_total": tot, "demand_points": res.demand_points,
                               "covered_before": res.covered_before, "covered_after": res.covered_after,
                               "coverable": res.coverable, "method": method, "optimal": bool(res.optimal),
                               "time_limit": bool(res.time_limit), "bound": res.bound, "gap": res.gap,
                               "seconds": res.seconds, "demand_unsnapped": res.demand_unsnapped,
                               "demand_unsnapped_w": res.demand_unsnapped_w,
                               "candidates_unsnapped": res.candidates_unsnapped,
                               "existing_unsnapped": res.existing_unsnapped}
        if cv == 0 and nc < kk:
            _warn("only %d sites add demand; the other candidates cover nothing more" % nc)
        if res.demand_unsnapped:
            _warn("%d demand points (%.10g of the demand) did not snap to the %s network within %g m: counted in "
                  "the total, never covered" % (res.demand_unsnapped, res.demand_unsnapped_w, sname, smax))
        if res.candidates_unsnapped and grid is None:
            _warn("%d of %d candidate sites did not snap to the %s network within %g m: they cover nothing" %
                  (res.candidates_unsnapped, cc.n, sname, smax))
        if res.existing_unsnapped:
            _warn("%d existing facilities did not snap to the %s network within %g m: they cover nothing" %
                  (res.existing_unsnapped, sname, smax))
        return df


def _equity_table(v, cols, w, thr, dist, dist_of):
    """The CLI's --summary table (cli/access.c: summary) from the access
    values v (rows x columns), with the library's hh_equity_compute."""
    import pandas as pd
    n = v.shape[0]
    nd = lib.hh_districts_count(dist) if dist is not None else 0
    c_thr = ffi.new("double[]", thr)
    rows = []
    e = ffi.new("hh_equity *")

    def one(col, wd, district, name):
        ffi.memmove(e, b"\0" * ffi.sizeof("hh_equity"), ffi.sizeof("hh_equity"))
        e.n_thresholds = len(thr)
        ok = lib.hh_equity_compute(_dptr(col), _dptr(wd), n, c_thr, len(thr), e) == 0
        r = {"column": name, "district": district}
        if ok:
            r.update(residents=e.residents, places=e.places, mean=e.mean, median=e.median, gini=e.gini,
                     palma=e.palma)
            for k, t in enumerate(thr):
                r["share_ge_%g" % t] = e.share_above[k]
        else:
            r.update(residents=0.0, places=0, mean=np.nan, median=np.nan, gini=np.nan, palma=np.nan)
            for t in thr:
                r["share_ge_%g" % t] = np.nan
        rows.append(r)

    for j, name in enumerate(cols):
        if "_nearest" in name:
            continue
        col = np.ascontiguousarray(v[:, j])
        one(col, w, "all", name)
        for d in range(nd):
            wd = np.ascontiguousarray(np.where(dist_of == d, w, 0.0))
            one(col, wd, text(lib.hh_districts_name(dist, d)), name)
    return pd.DataFrame(rows)


def _build_stats(st):
    comps = {}
    for m in range(3):
        c = st.comps[m]
        comps[_opts.MODE_NAMES[m]] = {"kept": c.kept, "kept_for_stop": c.kept_for_stop,
                                      "kept_sizes": [c.sizes[k] for k in range(min(c.kept, 8))],
                                      "dropped": c.dropped, "dropped_vertices": c.dropped_nodes,
                                      "dropped_largest": c.dropped_largest, "arcs": st.arcs[m],
                                      "nodes": st.scc_nodes[m], "dropped_arcs": st.dropped_arcs[m]}
    return {"seconds": st.seconds, "file_bytes": st.file_bytes, "osm_nodes": st.osm_nodes, "osm_ways": st.osm_ways,
            "osm_relations": st.osm_relations, "vertices": st.n_nodes, "edges": st.n_edges, "modes": comps,
            "restrictions": st.restrictions, "restrictions_via_way": st.restrictions_via_way,
            "restrictions_skipped": st.restrictions_skipped, "turn_moves": st.turn_moves,
            "car_barriers": st.car_barriers, "signals": st.signals, "barrier_copies": st.barrier_copies,
            "feeds": st.n_feeds, "stops": st.n_stops, "routes": st.n_routes, "trips": st.n_trips,
            "patterns": st.n_patterns, "stops_linked": st.stops_linked, "stops_unlinked": st.stops_unlinked,
            "footpaths": st.footpaths, "layers": text(st.layers), "layers_skipped": text(st.layers_skipped),
            "unlinked_stops": text(st.unlinked_stops)}
