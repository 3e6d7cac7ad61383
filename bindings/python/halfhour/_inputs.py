"""Points, centres and opportunity layers from Python objects, as C
structures the library reads: GeoDataFrames (any CRS, reprojected to
WGS-84), DataFrames whose columns are found by name as the CLI finds them
(id; lon|lng|longitude|x; lat|latitude|y, case-insensitive, surrounding
blanks ignored, the first name of each list that is present), numpy arrays
of lon/lat pairs, one (lon, lat) pair, or the path of a points CSV (read by
the library itself, as `halfhour` reads it).  Arrays are handed to C
without copying where they already are contiguous float64."""
import os

import numpy as np

from ._lib import ffi, lib, errbuf, check, text
from .errors import InvalidArgument, MalformedInput

LON_NAMES = ("lon", "lng", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")


def find_column(columns, names):
    """The column the CLI's CSV reader would take: for each name in order,
    the first column whose trimmed name equals it ignoring case."""
    keys = [(c, str(c).strip(" \t").lower()) for c in columns]
    for n in names:
        for c, k in keys:
            if k == n:
                return c
    return None


def cstrings(strs):
    """(char ** for n strings, the buffers to keep alive): one buffer for
    all, the pointers computed with numpy."""
    s = "\0".join(strs)
    n = len(strs)
    if n and s.count("\0") != n - 1:
        raise InvalidArgument("an id or name contains a NUL character")
    buf = ffi.new("char[]", s.encode("utf-8"))
    raw = np.frombuffer(ffi.buffer(buf), dtype=np.uint8)
    ends = np.flatnonzero(raw == 0)[:n]
    starts = np.empty(n, dtype=np.uintp)
    if n:
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
    ptrs = starts + np.uintp(int(ffi.cast("uintptr_t", buf)))
    return ffi.cast("char **", ffi.from_buffer(ptrs)) if n else ffi.NULL, (buf, ptrs)


def _is_geo(obj):
    try:
        import geopandas
    except ImportError:  # pragma: no cover - geopandas is a dependency
        return False
    return isinstance(obj, (geopandas.GeoDataFrame, geopandas.GeoSeries))


def _to_wgs84(g, what):
    if g.crs is None:
        return g  # taken as lon/lat; the range check below catches projected metres
    if g.crs.to_epsg() != 4326:
        g = g.to_crs(4326)
    return g


def _lonlat_of_geo(g, what):
    g = _to_wgs84(g, what)
    geom = g.geometry if hasattr(g, "geometry") else g
    types = geom.geom_type.to_numpy()
    bad = np.flatnonzero(types != "Point")
    if bad.size:
        raise InvalidArgument("%s: geometry %d is a %s, not a point (take .centroid or .representative_point() "
                              "first)" % (what, int(bad[0]), types[bad[0]]))
    return g, np.ascontiguousarray(geom.x.to_numpy(dtype=float)), np.ascontiguousarray(geom.y.to_numpy(dtype=float))


def _numeric(values, what, name, ids):
    import pandas as pd
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        i = int(bad[0])
        raise MalformedInput('%s row %d (id %s): %s "%.40s" is not a number' % (what, i + 1, ids[i], name,
                                                                                 str(np.asarray(values)[i])))
    return v


class Points:
    """n points: .ids (a numpy array of the ids as given, or 1..n), .lon,
    .lat (float64), .c (an hh_points * with id NULL, the ids staying here;
    .c_ids adds them for calls that need them)."""

    def __init__(self, ids, lon, lat, what="points", frame=None):
        self.what = what
        self.lon = np.ascontiguousarray(lon, dtype=np.float64)
        self.lat = np.ascontiguousarray(lat, dtype=np.float64)
        self.n = len(self.lon)
        self.ids = np.asarray(ids) if ids is not None else np.arange(1, self.n + 1)
        self.frame = frame
        bad = np.flatnonzero(~(np.isfinite(self.lon) & np.isfinite(self.lat) & (np.abs(self.lon) <= 180) &
                               (np.abs(self.lat) <= 90)))
        if bad.size:
            i = int(bad[0])
            raise MalformedInput("%s row %d (id %s): coordinates %g,%g out of range (lon in [-180,180], lat in "
                                 "[-90,90]; a projected frame needs its crs set)" %
                                 (what, i + 1, self.ids[i], self.lon[i], self.lat[i]))
        if self.n == 0:
            raise InvalidArgument("%s: no points" % what)
        self.c = ffi.new("hh_points *")
        self.c.n = self.n
        self.c.id = ffi.NULL
        self.c.lon = ffi.cast("double *", ffi.from_buffer(self.lon))
        self.c.lat = ffi.cast("double *", ffi.from_buffer(self.lat))
        self._ids_c = None

    def id_strings(self):
        return list(map(str, self.ids))

    @property
    def c_ids(self):
        """The same hh_points with its ids (as strings)."""
        if self._ids_c is None:
            arr, keep = cstrings(self.id_strings())
            p = ffi.new("hh_points *")
            p.n, p.lon, p.lat, p.id = self.n, self.c.lon, self.c.lat, arr
            self._ids_c = (p, keep)
        return self._ids_c[0]


def _ids_of_frame(df, what):
    col = find_column(df.columns, ("id",))
    if col is None:
        return None
    ids = df[col].to_numpy()
    import pandas as pd
    s = pd.Series(ids)
    if s.isna().any():
        raise MalformedInput("%s row %d: empty id" % (what, int(np.flatnonzero(s.isna().to_numpy())[0]) + 1))
    dup = s.astype(str).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise MalformedInput('%s row %d: duplicate id "%s"' % (what, i + 1, ids[i]))
    return ids


def read_points_csv(path, what):
    p = ffi.new("hh_points *")
    err = errbuf()
    check(lib.hh_points_read(os.fsencode(path), p, err, len(err)), err)
    try:
        n = p.n
        lon = np.frombuffer(ffi.buffer(p.lon, 8 * n), dtype=np.float64).copy()
        lat = np.frombuffer(ffi.buffer(p.lat, 8 * n), dtype=np.float64).copy()
        ids = np.array([x.decode("utf-8", "replace") for x in map(ffi.string, ffi.unpack(p.id, n))], dtype=object)
    finally:
        lib.hh_points_free(p)
    return Points(ids, lon, lat, what)


def points(obj, what="points"):
    """Points from any accepted input (see the module's docstring)."""
    if isinstance(obj, Points):
        return obj
    if isinstance(obj, (str, os.PathLike)):
        path = os.fspath(obj)
        if path.lower().endswith(".csv"):
            return read_points_csv(path, what)
        import geopandas
        return points(geopandas.read_file(path), what)
    if _is_geo(obj):
        import geopandas
        g = obj if isinstance(obj, geopandas.GeoDataFrame) else geopandas.GeoDataFrame(geometry=obj)
        g, lon, lat = _lonlat_of_geo(g, what)
        return Points(_ids_of_frame(g, what), lon, lat, what, frame=g)
    try:
        import pandas as pd
        is_df = isinstance(obj, pd.DataFrame)
    except ImportError:  # pragma: no cover
        is_df = False
    if is_df:
        clon, clat = find_column(obj.columns, LON_NAMES), find_column(obj.columns, LAT_NAMES)
        if clon is None or clat is None:
            raise MalformedInput("%s: no %s column (looked for %s)" % (
                what, "longitude" if clon is None else "latitude",
                "lon, lng, longitude, x" if clon is None else "lat, latitude, y"))
        ids = _ids_of_frame(obj, what)
        shown = ids if ids is not None else np.arange(1, len(obj) + 1)
        lon = _numeric(obj[clon].to_numpy(), what, "longitude", shown)
        lat = _numeric(obj[clat].to_numpy(), what, "latitude", shown)
        return Points(ids, lon, lat, what, frame=obj)
    a = np.asarray(obj, dtype=float)
    if a.ndim == 1 and a.shape == (2,):
        a = a.reshape(1, 2)
    if a.ndim != 2 or a.shape[1] != 2:
        raise InvalidArgument("%s: expected a GeoDataFrame, a DataFrame with lon/lat columns, an (n, 2) array of "
                              "lon, lat or a points CSV path" % what)
    return Points(None, a[:, 0], a[:, 1], what)


class Layers:
    """An hh_layers the library owns (freed with the object)."""

    def __init__(self):
        self.c = ffi.new("hh_layers *")

    def __del__(self):
        if getattr(self, "c", None) is not None:
            lib.hh_layers_free(self.c)
            self.c = None

    @property
    def names(self):
        return [text(self.c.name[j]) for j in range(self.c.n_layers)]

    def values(self):
        """n x n_layers view of the values (float64)."""
        n, k = self.c.n, self.c.n_layers
        if n == 0 or k == 0:
            return np.zeros((n, k))
        return np.frombuffer(ffi.buffer(self.c.value, 8 * n * k), dtype=np.float64).reshape(n, k)

    def find(self, name):
        return lib.hh_layers_find(self.c, name.encode("utf-8"))

    def add_file(self, path, polygons="area", sample_m=0.0, notes=None):
        one = Layers()
        o = ffi.new("hh_layers_opts *")
        o.polygons = {"area": 0, "centroid": 1}[polygons]
        o.sample_m = sample_m or 0.0
        err = errbuf()
        check(lib.hh_layers_read(os.fsencode(path), o, one.c, err, len(err)), err)
        if one.c.skipped != ffi.NULL and notes is not None:
            notes.append("%s: left out %s" % (path, text(one.c.skipped)))
        self.append(one.c)

    def add_frame(self, df, what="opportunities"):
        """Every numeric column but id/lon/lat a layer; NaN counts 0 (blank)."""
        import pandas as pd
        if _is_geo(df):
            g = _to_wgs84(df, what)
            types = set(g.geometry.geom_type.unique())
            if not types <= {"Point"}:
                # polygons (census tracts): the library's reader spreads them by area
                import tempfile
                d = tempfile.mkdtemp(prefix="halfhour-layers-")
                path = os.path.join(d, "layers.geojson")
                try:
                    g.to_file(path, driver="GeoJSON")
                    self.add_file(path)
                finally:
                    try:
                        os.remove(path)
                    except OSError:
                        pass
                    os.rmdir(d)
                return
            pts = points(g, what)
            cols = [c for c in g.columns if c != g.geometry.name]
            frame = pd.DataFrame(g[cols])
        else:
            pts = points(df, what)
            frame = df
        skip = {find_column(frame.columns, ("id",)), find_column(frame.columns, LON_NAMES),
                find_column(frame.columns, LAT_NAMES)}
        names = [c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c]) and
                 not pd.api.types.is_bool_dtype(frame[c])]
        if not names:
            raise InvalidArgument("%s: no numeric column for a layer" % what)
        v = frame[names].to_numpy(dtype=np.float64, na_value=np.nan)
        blank = np.isnan(v)
        v = np.where(blank, 0.0, v)
        bad = np.argwhere(~np.isfinite(v) | (v < 0))
        if bad.size:
            i, j = bad[0]
            raise MalformedInput("%s row %d (id %s): %s value %g is negative or not finite" %
                                 (what, i + 1, pts.ids[i], names[j], v[i, j]))
        v = np.ascontiguousarray(v)
        nb = np.ascontiguousarray(blank.sum(axis=0).astype(np.uint64))
        name_arr, keep = cstrings([str(c) for c in names])
        b = ffi.new("hh_layers *")
        b.n_layers, b.name, b.n = len(names), name_arr, pts.n
        b.n_blank = ffi.cast("uint64_t *", ffi.from_buffer(nb))
        b.lon, b.lat = pts.c.lon, pts.c.lat
        b.value = ffi.cast("double *", ffi.from_buffer(v))
        b.skipped = ffi.NULL
        self.append(b, _keep=(keep, v, nb, pts))

    def append(self, b, _keep=None):
        """Appends b's layers (a layer of b's name replaces the one here, as
        `halfhour` does with --opportunities-file)."""
        vals = self.values()
        for j in range(b.n_layers):
            d = lib.hh_layers_find(self.c, b.name[j])
            if d >= 0 and vals.size:
                vals[:, d] = 0.0
        check(lib.hh_layers_append(self.c, b))


def net_layers(net, files=(), notes=None):
    """The network's layers with those of each file or frame appended (the
    CLI's cli_load_layers)."""
    ls = Layers()
    rc = lib.hh_net_layers(net, ls.c)
    if rc:
        raise MalformedInput("the network's opportunity layers are damaged")
    if files is None:
        files = ()
    if isinstance(files, (str, os.PathLike)) or hasattr(files, "columns"):
        files = [files]
    for f in files:
        if isinstance(f, (str, os.PathLike)):
            ls.add_file(os.fspath(f), notes=notes)
        else:
            ls.add_frame(f)
    return ls


class Centres:
    """Named centres as an hh_centres (ids and names kept here)."""

    def __init__(self, obj):
        if isinstance(obj, (str, os.PathLike)) and os.fspath(obj).lower().endswith(".csv"):
            c = ffi.new("hh_centres *")
            err = errbuf()
            check(lib.hh_centres_read(os.fsencode(obj), c, err, len(err)), err)
            try:
                n = c.n
                ids = [x.decode("utf-8", "replace") for x in map(ffi.string, ffi.unpack(c.id, n))]
                names = [x.decode("utf-8", "replace") for x in map(ffi.string, ffi.unpack(c.name, n))]
                lon = np.frombuffer(ffi.buffer(c.lon, 8 * n), dtype=np.float64).copy()
                lat = np.frombuffer(ffi.buffer(c.lat, 8 * n), dtype=np.float64).copy()
            finally:
                lib.hh_centres_free(c)
            p = Points(np.array(ids, dtype=object), lon, lat, "centres")
        else:
            p = points(obj, "centres")
            ids = p.id_strings()
            names = ids
            if p.frame is not None:
                nc = find_column(p.frame.columns, ("name",))
                if nc is not None:
                    col = p.frame[nc].astype(object).to_numpy()
                    names = [str(x) if isinstance(x, str) and x.strip() else i for x, i in zip(col, ids)]
        if p.n > 64:
            raise InvalidArgument("centres: at most 64 (%d given)" % p.n)
        self.points, self.ids, self.names = p, list(ids), list(names)
        id_arr, k1 = cstrings(self.ids)
        nm_arr, k2 = cstrings(self.names)
        self.c = ffi.new("hh_centres *")
        self.c.n, self.c.id, self.c.name = p.n, id_arr, nm_arr
        self.c.lon, self.c.lat = p.c.lon, p.c.lat
        self._keep = (k1, k2, id_arr, nm_arr)
