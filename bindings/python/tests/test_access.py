"""access, report and site against the CLI: the files the Python calls
write through the library's writers are byte for byte the CLI's, and the
DataFrames hold the same values; the equity summary as `access --summary`."""
import io
import warnings

import numpy as np
import pandas as pd
import pytest

import halfhour
from conftest import run_cli, read_csv


def cli_csv_values(path):
    return pd.read_csv(path)


def test_grid_access_equals_cli(tmp_path, poa_net):
    out = tmp_path / "py.csv"
    got = poa_net.access("walk", grid=500, opportunities=["jobs", "healthcare"], minutes=[15, 30], nearest=[1],
                         out=[out, tmp_path / "py.gpkg", tmp_path / "py.tif"])
    cli = tmp_path / "cli.csv"
    run_cli("access", poa_net.path, "--mode", "walk", "--grid", "500", "--opportunities", "jobs,healthcare",
            "--minutes", "15,30", "--nearest", "1", "-o", cli)
    assert out.read_bytes() == cli.read_bytes()
    want = pd.read_csv(cli)
    assert list(got.columns[:-1]) == list(want.columns)
    for c in want.columns[3:]:
        assert np.allclose(got[c], want[c], equal_nan=True, rtol=1e-9), c
    assert got.geometry.geom_type.eq("Polygon").all() and got.crs.to_epsg() == 4326
    # the cell polygons contain their centres and tile the grid (equal areas)
    import geopandas
    centres = geopandas.GeoSeries(geopandas.points_from_xy(got.lon, got.lat), index=got.index, crs=4326)
    assert got.geometry.contains(centres).all()
    area = got.to_crs("+proj=laea +lat_0=-30.05 +lon_0=-51.2").area
    assert np.allclose(area, 500 * 500, rtol=2e-3)
    assert (tmp_path / "py.gpkg").stat().st_size > 0 and (tmp_path / "py.tif").stat().st_size > 0


def test_transit_points_access_and_summary_equal_cli(tmp_path, poa_net, poa_hexes, poa_pois):
    got, summ = poa_net.access("transit", origins=poa_pois[1], opportunities="jobs", minutes=[30, 45],
                               departure="2019-05-13T12:00", window=30, percentiles=[25, 75], summary=True,
                               thresholds=[1, 100000])
    cli = tmp_path / "cli.csv"
    r = run_cli("access", poa_net.path, "--mode", "transit", "--origins", poa_pois[0], "--opportunities", "jobs",
                "--minutes", "30,45", "--depart", "2019-05-13T12:00", "--window", "30", "--percentiles", "25,75",
                "--summary", "--thresholds", "1,100000", "-o", cli)
    want = pd.read_csv(cli)
    assert list(got.id) == list(want.id)
    for c in want.columns[3:]:
        assert np.allclose(got[c], want[c], equal_nan=True), c
    ws = pd.read_csv(io.StringIO(r.stdout))
    assert list(summ.columns) == list(ws.columns)
    assert list(summ.column) == list(ws.column)
    for c in ("residents", "places", "mean", "median", "gini", "palma", "share_ge_1", "share_ge_100000"):
        assert np.allclose(summ[c].astype(float), ws[c].astype(float), rtol=1e-5, equal_nan=True), c


def test_preset_and_opportunity_frames(tmp_path, poa_net, poa_hexes):
    got, summ = poa_net.access("walk", grid=1000, preset="15min", opportunities=["schools", "healthcare"],
                               summary=True)
    cli = tmp_path / "cli.csv"
    r = run_cli("access", poa_net.path, "--mode", "walk", "--grid", "1000", "--preset", "15min",
                "--opportunities", "schools,healthcare", "--summary", "-o", cli)
    want = pd.read_csv(cli)
    assert list(got.columns[:-1]) == list(want.columns)
    assert "services_15" in want.columns and "all_services_15" in want.columns
    for c in want.columns[3:]:
        assert np.allclose(got[c], want[c], equal_nan=True), c
    ws = pd.read_csv(io.StringIO(r.stdout))
    assert np.allclose(summ["mean"].astype(float), ws["mean"].astype(float), rtol=1e-5, equal_nan=True)
    # a DataFrame of opportunities, as --opportunities-file with the same CSV
    frame = poa_hexes[1][["id", "lon", "lat", "jobs"]].rename(columns={"jobs": "work"})
    fp = tmp_path / "work.csv"
    frame.to_csv(fp, index=False)
    a = poa_net.access("car", grid=1000, opportunities_file=frame, opportunities=["work"], minutes=[10],
                       geometry=False)
    cli = tmp_path / "cli2.csv"
    run_cli("access", poa_net.path, "--mode", "car", "--grid", "1000", "--opportunities-file", fp,
            "--opportunities", "work", "--minutes", "10", "-o", cli)
    want = pd.read_csv(cli)
    assert isinstance(a, pd.DataFrame) and not hasattr(a, "geometry")
    assert np.allclose(a["work_10"], want["work_10"], equal_nan=True)
    with pytest.raises(halfhour.InvalidArgument) as e:
        poa_net.access("walk", opportunities=["nope"])
    assert str(e.value).startswith('opportunities: no layer "nope" (the layers: ')


def test_report_equals_cli(tmp_path, poa_net):
    import os
    from conftest import ROOT
    centres = os.path.join(ROOT, "regions", "porto-alegre", "centres.csv")
    got = poa_net.report(centres, 30, ["car", "transit"], departure="2019-05-13T12:00", window=60,
                         percentiles=[25, 50], out=tmp_path / "py")
    run_cli("report", poa_net.path, "--centres", centres, "--minutes", "30", "--modes", "car,transit",
            "--depart", "2019-05-13T12:00", "--window", "60", "--percentiles", "25,50", "-o", tmp_path / "cli")
    for f in ("times.csv", "circles.csv", "circles.geojson", "report.md"):
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    wt = read_csv(tmp_path / "cli" / "times.csv")
    t = got["times"]
    assert list(t.columns) == list(wt[0].keys())
    assert len(t) == len(wt)
    assert ["%.1f" % x if not np.isnan(x) else "" for x in t.minutes] == [r["minutes"] for r in wt]
    assert [str(x) for x in t.within] == [r["within"] for r in wt]
    assert ["%g" % x if not np.isnan(x) else "" for x in t.percentile] == [r["percentile"] for r in wt]
    wc = read_csv(tmp_path / "cli" / "circles.csv")
    c = got["circles"]
    assert list(c.columns[:-1]) == list(wc[0].keys())
    assert ["%.3f" % x for x in c.area_km2] == [r["area_km2"] for r in wc]
    assert ["%.10g" % x for x in c.population_inside] == [r["population_inside"] for r in wc]
    assert c.geometry.notna().all()
    # the union's area is about its polygon's (equal-area projection)
    u = c[c.centre_id == "union"].iloc[0]
    assert abs(c[c.centre_id == "union"].to_crs("+proj=laea +lat_0=-30.05 +lon_0=-51.2").area.iloc[0] / 1e6
               - u.area_km2) < 0.02 * u.area_km2


def test_site_equals_cli(tmp_path, poa_net, poa_hexes):
    cand = poa_hexes[1].iloc[::5][["id", "lon", "lat"]]
    cp = tmp_path / "cand.csv"
    cand.to_csv(cp, index=False)
    got = poa_net.site("walk", 15, "population", candidates=cand, k=5)
    out = tmp_path / "cli.csv"
    r = run_cli("site", poa_net.path, "--mode", "walk", "--minutes", "15", "--demand", "population",
                "--candidates", cp, "--k", "5", "-o", out)
    want = pd.read_csv(out)
    assert list(got.columns) == list(want.columns)
    assert list(got.id) == list(want.id)
    assert np.allclose(got.covered, want.covered) and np.allclose(got.covered_share, want.covered_share, atol=1e-6)
    assert "%.10g" % got.attrs["summary"]["demand_total"] in r.stderr
    cov = poa_net.site("walk", 15, "population", grid=1000, cover=0.5)
    out2 = tmp_path / "cli2.csv"
    run_cli("site", poa_net.path, "--mode", "walk", "--minutes", "15", "--demand", "population", "--grid", "1000",
            "--cover", "0.5", "-o", out2)
    want = pd.read_csv(out2)
    assert list(cov.id) == list(want.id) and cov.covered_share.iloc[-1] >= 0.5
    with pytest.raises(halfhour.InvalidArgument):
        poa_net.site("walk", 15, "population", grid=1000)
