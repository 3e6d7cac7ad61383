"""isochrones against `halfhour isochrone`: the same features (origin,
minutes, mode, area) and the same rings to the CLI's 7 decimals, street and
transit; snapping errors as NotSnapped with the CLI's reasons."""
import json

import numpy as np
import pytest
from shapely.geometry import shape

import halfhour
from conftest import cli_error, run_cli


def cli_iso(tmp_path, net, pts, *args):
    out = tmp_path / "iso.geojson"
    froms = []
    for lon, lat in pts:
        froms += ["--from", "%.7f,%.7f" % (lon, lat)]
    run_cli("isochrone", net.path, *froms, "-o", out, *args)
    return json.loads(out.read_text())["features"]


def same_rings(geom, feature):
    want = feature["geometry"]["coordinates"]
    got = [[np.round(np.asarray(r.coords), 7) for r in [p.exterior] + list(p.interiors)] for p in geom.geoms]
    assert len(got) == len(want)
    for gp, wp in zip(got, want):
        assert len(gp) == len(wp)
        for gr, wr in zip(gp, wp):
            assert np.allclose(gr, np.asarray(wr), atol=1.01e-7)


@pytest.mark.parametrize("mode", ["walk", "car"])
def test_street_isochrones_equal_cli(tmp_path, poa_net, poa_pois, mode):
    df = poa_pois[1].head(3)
    pts = list(zip(df.lon, df.lat))
    got = poa_net.isochrones(df, mode, [5, 10, 15])
    want = cli_iso(tmp_path, poa_net, pts, "--mode", mode, "--minutes", "5,10,15")
    assert len(got) == len(want) == 9
    assert got.crs.to_epsg() == 4326
    for (_, g), f in zip(got.iterrows(), want):
        p = f["properties"]
        assert (g.origin, g.minutes, g["mode"]) == (p["origin"], p["minutes"], p["mode"])
        assert g.travel_time == g.minutes
        assert "%.4f" % g.area_km2 == "%.4f" % p["area_km2"]
        assert g.id == df.id.iloc[g.origin]
        assert g.geometry.is_valid
        same_rings(g.geometry, f)
    a = got[got.origin == 0].area_km2.to_numpy()
    assert (np.diff(a) > 0).all()


def test_isochrones_same_for_any_thread_count(poa_net, poa_pois):
    # one worker or three: the same rows in the order of the points, with
    # the surface, and compared with the network itself as the base
    df = poa_pois[1].head(7)
    one, s1 = poa_net.isochrones(df, "bike", [5, 10], threads=1, surface=True, compare=poa_net)
    three, s3 = poa_net.isochrones(df, "bike", [5, 10], threads=3, surface=True, compare=poa_net)
    assert len(one) == len(three) == 7 * 2 * 4
    assert list(one.origin) == sorted(one.origin) == list(three.origin)
    assert list(one.part) == list(three.part)
    assert (one.area_km2.to_numpy() == three.area_km2.to_numpy()).all()
    assert all(a.equals_exact(b, 0) for a, b in zip(one.geometry, three.geometry))
    assert s1.equals(s3) and len(s1) > 100
    assert (one[one.part.isin(["gained", "lost"])].area_km2 == 0).all()
    with pytest.raises(halfhour.InvalidArgument):
        poa_net.isochrones(df, "bike", [5], threads=0)


def test_transit_isochrone_equals_cli(tmp_path, poa_net, poa_pois):
    df = poa_pois[1].head(1)
    got = poa_net.isochrones(df, "transit", [15, 30], departure="2019-05-13T12:00", window=30, percentile=25)
    want = cli_iso(tmp_path, poa_net, list(zip(df.lon, df.lat)), "--mode", "transit", "--minutes", "15,30",
                   "--depart", "2019-05-13T12:00", "--window", "30", "--percentile", "25")
    assert len(got) == len(want) == 2
    for (_, g), f in zip(got.iterrows(), want):
        p = f["properties"]
        assert (g.percentile, g.depart, g.window_min) == (p["percentile"], p["depart"], p["window_min"])
        assert "%.4f" % g.area_km2 == "%.4f" % p["area_km2"]
        same_rings(g.geometry, f)


def test_origin_that_does_not_snap(poa_net):
    with pytest.raises(halfhour.NotSnapped) as e:
        poa_net.isochrones((-30.03, -51.22), "walk")
    assert "lon/lat look swapped" in str(e.value)
    with pytest.raises(halfhour.NotSnapped) as e:
        poa_net.isochrones((-51.2288, -30.0276), "car", snap_max=0.01)
    assert "no car street within 0.01 m" in str(e.value)
    with pytest.raises(halfhour.InvalidArgument):
        poa_net.isochrones((-51.2288, -30.0276), "car", minutes=[700])


def test_not_snapped_messages_are_the_clis(poa_net):
    # one library function words both (hh_snap_fail_text): only the point's name and the option differ
    import re
    for pt, mode, extra in (((-30.03, -51.22), "walk", {}), ((-51.2288, -30.0276), "car", {"snap_max": 0.01}),
                            ((-48.0, -30.0), "walk", {}), ((-51.2288, -30.0276), "transit", {"snap_max": 0.01})):
        flags = ["--snap-max", str(extra["snap_max"])] if extra else []
        if mode == "transit":
            flags += ["--depart", "2019-05-13T12:00"]
        want = cli_error("isochrone", poa_net.path, "--from", "%r,%r" % pt, "--mode", mode, *flags)
        kw = dict(extra, departure="2019-05-13T12:00") if mode == "transit" else extra
        with pytest.raises(halfhour.NotSnapped) as e:
            poa_net.isochrones(pt, mode, **kw)
        got = str(e.value)
        assert re.sub(r"^point \S+ at ", "", got).replace("see snap_max", "see --snap-max") == \
            re.sub(r"^--from ", "", want), (got, want)


def test_drawing_options_equal_cli(tmp_path, poa_net, poa_pois):
    # the strict polygons and a coarse drawing: each as `halfhour isochrone` with the same flags
    df = poa_pois[1].head(1)
    pts = list(zip(df.lon, df.lat))
    areas = []
    for kw, flags in ((dict(holes="all", generalize=0), ["--holes", "all", "--generalize", "0"]),
                      (dict(generalize=80, denoise=0.5), ["--generalize", "80", "--denoise", "0.5"])):
        got = poa_net.isochrones(df, "car", [10, 20], **kw)
        want = cli_iso(tmp_path, poa_net, pts, "--mode", "car", "--minutes", "10,20", *flags)
        assert len(got) == len(want) == 2
        for (_, g), f in zip(got.iterrows(), want):
            assert "%.4f" % g.area_km2 == "%.4f" % f["properties"]["area_km2"]
            same_rings(g.geometry, f)
        areas.append(tuple(got.area_km2))
    assert areas[0] != areas[1]
    with pytest.raises(halfhour.InvalidArgument):
        poa_net.isochrones(df, "car", [10], holes="some")
    with pytest.raises(halfhour.InvalidArgument):
        poa_net.isochrones(df, "car", [10], denoise=2)
