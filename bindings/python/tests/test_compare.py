"""compare= of isochrones, access and report, and isochrones(surface=True),
against the CLI's --compare and --surface on the same two files: the express
line of regions/porto-alegre as the scenario of Porto Alegre."""
import json
import os

import numpy as np
import pandas as pd
import pytest

import halfhour
from conftest import ROOT, read_csv, run_cli
from test_isochrone import same_rings

EXPRESS = os.path.join(ROOT, "regions", "porto-alegre", "scenario_express.geojson")
CENTRES = os.path.join(ROOT, "regions", "porto-alegre", "centres.csv")
DEP = "2019-05-13T12:00"
TR = ["--depart", DEP, "--window", "10"]


@pytest.fixture(scope="module")
def express(poa_net, tmp_path_factory):
    new = poa_net.scenario(EXPRESS, tmp_path_factory.mktemp("express") / "poa_express.hh")
    yield new
    new.close()


def test_isochrones_compare_and_surface_equal_cli(tmp_path, express, poa_net):
    got, surf = express.isochrones((-51.2278, -30.0290), "transit", [20, 40], departure=DEP, window=10,
                                   surface=True, compare=poa_net.path)
    out, sout = tmp_path / "iso.geojson", tmp_path / "surf.csv"
    run_cli("isochrone", express.path, "--from", "-51.2278,-30.0290", "--mode", "transit", "--minutes", "20,40",
            "--compare", poa_net.path, "--surface", sout, "-o", out, *TR)
    want = json.loads(out.read_text())["features"]
    assert len(got) == len(want) == 8
    for (_, g), f in zip(got.iterrows(), want):
        p = f["properties"]
        assert (g.minutes, g.part) == (p["minutes"], p["part"])
        assert "%.4f" % g.area_km2 == "%.4f" % p["area_km2"]
        if len(g.geometry.geoms):
            same_rings(g.geometry, f)
    gained = got[got.part == "gained"].area_km2
    assert (gained > 0).all()
    # the surface: the CLI's rows, its times printed to 0.1 s
    w = pd.read_csv(sout)
    assert list(surf.columns) == list(w.columns) == ["origin", "vertex", "lon", "lat", "time_s"]
    assert len(surf) == len(w) > 1000
    assert (surf.vertex.to_numpy() == w.vertex.to_numpy()).all()
    assert np.allclose(surf.lon, w.lon, atol=1e-7) and np.allclose(surf.lat, w.lat, atol=1e-7)
    assert np.allclose(surf.time_s.round(1), w.time_s, atol=0.051)
    assert (surf.time_s <= 40 * 60).all()


def test_street_isochrone_compare_on_an_empty_change(tmp_path, poa_net):
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    same = poa_net.scenario(empty, tmp_path / "same.hh")
    try:
        got = same.isochrones((-51.2288, -30.0276), "car", [5, 10], compare=poa_net)
        assert list(got.part) == ["base", "scenario", "gained", "lost"] * 2
        assert (got[got.part.isin(["gained", "lost"])].area_km2 == 0).all()
        b, s_ = got[got.part == "base"], got[got.part == "scenario"]
        assert list(b.area_km2) == list(s_.area_km2)
    finally:
        same.close()


def test_access_compare_equals_cli(tmp_path, express, poa_net):
    out = tmp_path / "a.csv"
    got = express.access("transit", grid=1000, opportunities=["jobs"], minutes=[30], departure=DEP, window=10,
                         compare=poa_net.path, out=[out], geometry=False)
    cli = tmp_path / "cli.csv"
    run_cli("access", express.path, "--mode", "transit", "--grid", "1000", "--opportunities", "jobs", "--minutes",
            "30", "--compare", poa_net.path, "-o", cli, *TR)
    assert out.read_text() == cli.read_text()
    rows = read_csv(cli)
    assert list(got.columns) == list(rows[0].keys())
    assert list(got.columns)[3:] == ["jobs_30_p50_base", "jobs_30_p50_scenario", "jobs_30_p50_diff"]
    d = got.jobs_30_p50_diff
    assert (d > 0).any() and not (d < 0).any()
    for (_, g), r in zip(got.iterrows(), rows):
        for c in ("jobs_30_p50_base", "jobs_30_p50_scenario", "jobs_30_p50_diff"):
            assert (np.isnan(g[c]) and r[c] == "") or abs(g[c] - float(r[c])) <= 1e-9 * max(1, abs(g[c]))


def test_report_compare_equals_cli(tmp_path, express, poa_net):
    got = express.report(CENTRES, 30, ["car", "transit"], departure=DEP, window=10, compare=poa_net.path)
    d = tmp_path / "rep"
    run_cli("report", express.path, "--centres", CENTRES, "--modes", "car,transit", "--compare", poa_net.path,
            "-o", d, *TR)
    want = pd.read_csv(d / "compare.csv", keep_default_na=False, na_values=[""], dtype={"measure": str})
    assert list(want.columns) == ["mode", "measure", "base", "scenario", "difference"]
    assert got["compare"].equals(want)
    tr = want[(want["mode"] == "transit") & (want.measure == "residents_newly_inside")]
    assert len(tr) == 1 and tr.scenario.iloc[0] > 0
    car = want[want["mode"] == "car"]
    assert (car.difference == 0).all()


def test_compare_with_a_missing_base_is_an_error(express, tmp_path):
    with pytest.raises(halfhour.HalfhourError):
        express.isochrones((-51.2288, -30.0276), "car", [5], compare=tmp_path / "none.hh")
