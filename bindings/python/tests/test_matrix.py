"""travel_time_matrix against `halfhour matrix` on the same inputs: every
pair's time and distance (rounded as the CLI prints them), ids and order;
transit percentiles; the warnings and errors about points that did not
snap, word for word; the input forms (GeoDataFrame in a projected CRS,
DataFrame, array, CSV path) giving the same matrix."""
import warnings

import numpy as np
import pandas as pd
import pytest

import halfhour
from conftest import run_cli, cli_error, cli_warnings, read_csv, half_up, data


def cli_matrix(tmp_path, net_path, o, d, *args):
    out = tmp_path / "m.csv"
    r = run_cli("matrix", net_path, "--origins", o, "--destinations", d, "-o", out, *args)
    return read_csv(out), r.stderr


def test_car_matrix_equals_cli(tmp_path, porto_net, porto_points):
    path, df = porto_points
    got = porto_net.travel_time_matrix(df, df, mode="car", threads=2)
    want, _ = cli_matrix(tmp_path, porto_net.path, path, path, "--mode", "car", "--threads", "2")
    assert len(got) == len(want) == len(df) ** 2
    assert list(got.columns) == ["from_id", "to_id", "travel_time_s", "distance_m", "travel_time"]
    assert list(got.from_id) == [r["from_id"] for r in want]
    assert list(got.to_id) == [r["to_id"] for r in want]
    assert [half_up(x) for x in got.travel_time_s] == [r["travel_time_s"] for r in want]
    assert [half_up(x) for x in got.distance_m] == [r["distance_m"] for r in want]
    reached = got.travel_time_s.notna()
    assert reached.mean() > 0.5
    assert np.allclose(got.travel_time[reached], got.travel_time_s[reached] / 60)


def test_walk_with_cutoff_and_unsnapped_points_equals_cli(tmp_path, poa_net, poa_pois, poa_hexes):
    with pytest.warns(halfhour.HalfhourWarning) as w:
        got = poa_net.travel_time_matrix(poa_pois[1], poa_hexes[1], mode="walk", max_minutes=30)
    want, err = cli_matrix(tmp_path, poa_net.path, poa_pois[0], poa_hexes[0], "--mode", "walk", "--max-minutes", "30")
    assert [str(x.message) for x in w] == cli_warnings(err)
    assert len(cli_warnings(err)) == 1 and "did not snap (empty times)" in cli_warnings(err)[0]
    assert [half_up(x) for x in got.travel_time_s] == [r["travel_time_s"] for r in want]
    assert [half_up(x) for x in got.distance_m] == [r["distance_m"] for r in want]
    assert (got.travel_time_s.dropna() <= 1800).all() and got.travel_time_s.notna().sum() > 100


def test_transit_percentiles_equal_cli(tmp_path, poa_net, poa_pois, poa_hexes):
    hexes = poa_hexes[1].iloc[::7]
    hp = tmp_path / "hexes.csv"
    hexes.to_csv(hp, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", halfhour.HalfhourWarning)
        got = poa_net.travel_time_matrix(poa_pois[1], hexes, mode="transit", departure="2019-05-13T12:00",
                                         window=60, percentiles=[95, 5, 50])
    want, _ = cli_matrix(tmp_path, poa_net.path, poa_pois[0], hp, "--mode", "transit", "--depart",
                         "2019-05-13T12:00", "--window", "60", "--percentiles", "5,50,95")
    assert list(got.columns) == ["from_id", "to_id", "travel_time_p5", "travel_time_p50", "travel_time_p95"]
    for c in ("travel_time_p5", "travel_time_p50", "travel_time_p95"):
        assert [half_up(x) for x in got[c]] == [r[c] for r in want], c
    ok = got.travel_time_p50.notna()
    assert ok.mean() > 0.5
    assert (got.travel_time_p5[ok] <= got.travel_time_p50[ok]).all()
    # one percentile: r5py's travel_time in minutes too
    one = poa_net.travel_time_matrix(poa_pois[1].head(3), hexes, mode="transit", departure="2019-05-13T12:00",
                                     percentiles=[50])
    assert np.allclose(one.travel_time.dropna(), one.travel_time_p50.dropna() / 60)


def test_input_forms_give_the_same_matrix(tmp_path, poa_net, poa_pois):
    import geopandas
    path, df = poa_pois
    ref = poa_net.travel_time_matrix(df, mode="bike")
    gdf = geopandas.GeoDataFrame(df[["id"]], geometry=geopandas.points_from_xy(df.lon, df.lat), crs=4326)
    utm = gdf.to_crs(31982)  # SIRGAS 2000 / UTM 22S, metres
    got = poa_net.travel_time_matrix(utm, utm, mode="bike")
    assert list(got.from_id) == list(ref.from_id)
    assert np.allclose(got.travel_time_s, ref.travel_time_s, equal_nan=True, atol=0.01)
    from_csv = poa_net.travel_time_matrix(path, path, mode="bike")
    assert np.array_equal(from_csv.travel_time_s.to_numpy(), ref.travel_time_s.to_numpy(), equal_nan=True)
    arr = poa_net.travel_time_matrix(df[["lon", "lat"]].to_numpy(), mode="bike")
    assert list(arr.from_id[:2]) == [1, 1] and list(arr.to_id[:2]) == [1, 2]
    assert np.array_equal(arr.travel_time_s.to_numpy(), ref.travel_time_s.to_numpy(), equal_nan=True)
    # columns found like the CLI: LNG / Latitude, any case, any order
    odd = pd.DataFrame({"Latitude": df.lat, "ID": df.id, " LNG ": df.lon})
    got = poa_net.travel_time_matrix(odd, mode="bike")
    assert np.array_equal(got.travel_time_s.to_numpy(), ref.travel_time_s.to_numpy(), equal_nan=True)
    assert list(got.from_id) == list(ref.from_id)


def test_threads_give_identical_results(porto_net, porto_points):
    df = porto_points[1].head(120)
    a = porto_net.travel_time_matrix_arrays(df, mode="car", threads=1)
    b = porto_net.travel_time_matrix_arrays(df, mode="car", threads=2)
    assert np.array_equal(a["time_s"], b["time_s"], equal_nan=True)
    assert np.array_equal(a["distance_m"], b["distance_m"], equal_nan=True)


def test_no_origin_snaps_is_the_clis_error(tmp_path, poa_net, poa_pois):
    far = tmp_path / "far.csv"
    far.write_text("id,lon,lat\nswapped,-30.03,-51.22\nocean,-40.0,-35.0\n")
    with pytest.raises(halfhour.NotSnapped) as e:
        poa_net.travel_time_matrix(far, poa_pois[0], mode="walk")
    assert str(e.value) == cli_error("matrix", poa_net.path, "--origins", far, "--destinations", poa_pois[0],
                                     "--mode", "walk")
    assert "lon/lat look swapped" in str(e.value)


def test_library_errors_keep_the_clis_messages(tmp_path, poa_net, poa_pois):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lon,lat\na,-51.2,-30.0\nb,abc,-30.0\n")
    with pytest.raises(halfhour.MalformedInput) as e:
        poa_net.travel_time_matrix(bad, mode="walk")
    assert str(e.value) == cli_error("matrix", poa_net.path, "--origins", bad, "--destinations", bad, "--mode", "walk")
    with pytest.raises(halfhour.OutOfRange) as e:
        poa_net.travel_time_matrix(poa_pois[1], mode="transit", departure="2030-01-07T08:00")
    assert str(e.value) == cli_error("matrix", poa_net.path, "--origins", poa_pois[0], "--destinations",
                                     poa_pois[0], "--mode", "transit", "--depart", "2030-01-07T08:00")
    with pytest.raises(halfhour.InputOutputError) as e:
        halfhour.Network.open(tmp_path / "missing.hh")
    assert str(e.value) == cli_error("info", tmp_path / "missing.hh")
    with pytest.raises(halfhour.InvalidArgument):
        poa_net.travel_time_matrix(poa_pois[1], mode="plane")
    with pytest.raises(halfhour.InvalidArgument):
        poa_net.travel_time_matrix(poa_pois[1], mode="transit")  # no departure
    with pytest.raises(halfhour.MalformedInput):
        poa_net.travel_time_matrix(pd.DataFrame({"id": ["a", "a"], "lon": [-51.2, -51.2], "lat": [-30, -30]}))
