"""Network.build / open / info against `halfhour build` and `info --json`;
the errors of damaged files with the library's messages; the module-level
verbs."""
import json
import os

import pytest

import halfhour
from conftest import run_cli, cli_error, data


def test_info_equals_cli_json(poa_net, porto_net):
    for net in (poa_net, porto_net):
        want = json.loads(run_cli("info", net.path, "--json").stdout)
        assert net.info() == want
    i = poa_net.info()
    assert len(i["feeds"]) == 2 and {l["name"] for l in i["layers"]} >= {"population", "jobs"}
    assert halfhour.info(poa_net.path) == i


def test_build_options_and_stats(tmp_path):
    osm = data("monaco/monaco.osm.pbf")
    net = halfhour.Network.build(osm, out=tmp_path / "m.hh", settings={"car.speed_factor": 0.5},
                                 osm_layers=["benches=amenity=bench"], preset_layers=False)
    run_cli("build", osm, "-o", tmp_path / "c.hh", "--set", "car.speed_factor=0.5", "--osm-layer",
            "benches=amenity=bench", "--no-preset-layers", "-q")
    a, b = net.info(), json.loads(run_cli("info", tmp_path / "c.hh", "--json").stdout)
    for k in ("built_at", "file_bytes", "source"):
        a.pop(k), b.pop(k)
    assert a == b
    assert a["profile"]["car.speed_factor"] == 0.5
    assert [l["name"] for l in a["layers"]] == ["benches"]
    st = net.build_stats
    assert st["vertices"] == a["nodes"] and st["modes"]["car"]["arcs"] == a["modes"]["car"]["arcs"]
    seen = []
    net2 = halfhour.build(osm, out=tmp_path / "p.hh", progress=lambda stage, f: seen.append((stage, f)))
    assert seen and all(0 <= f <= 1 for _, f in seen)
    net.close()
    with pytest.raises(halfhour.InvalidArgument):
        net.info()
    net2.close()


def test_build_errors_are_the_clis(tmp_path):
    missing = tmp_path / "none.osm.pbf"
    with pytest.raises(halfhour.HalfhourError) as e:
        halfhour.Network.build(missing, out=tmp_path / "x.hh")
    assert str(e.value) == cli_error("build", missing, "-o", tmp_path / "y.hh", "-q")
    assert not (tmp_path / "x.hh").exists()
    with pytest.raises(halfhour.InvalidArgument) as e:
        halfhour.Network.build(data("monaco/monaco.osm.pbf"), out=tmp_path / "x.hh", settings={"car.nope": 1})
    assert "car.nope" in str(e.value)


def test_damaged_network_files(tmp_path, porto_net):
    raw = open(porto_net.path, "rb").read()
    short = tmp_path / "short.hh"
    short.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(halfhour.MalformedInput) as e:
        halfhour.Network.open(short)
    assert str(e.value) == cli_error("info", short)
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0xFF
    bad = tmp_path / "bad.hh"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(halfhour.ChecksumMismatch) as e:
        halfhour.Network.open(bad)
    assert str(e.value) == cli_error("info", bad)
    # verify: the whole file passes, the flipped one names what failed, as the CLI does
    v = halfhour.verify(porto_net.path)
    assert v["sections_checked"] == v["n_sections"] > 10 and v["file_bytes"] == len(raw)
    with pytest.raises((halfhour.ChecksumMismatch, halfhour.MalformedInput)) as e:
        halfhour.verify(bad)
    assert str(e.value) == cli_error("verify", bad)
    text = tmp_path / "text.hh"
    text.write_text("not a network\n")
    with pytest.raises(halfhour.HalfhourError) as e:
        halfhour.Network.open(text)
    assert str(e.value) == cli_error("info", text)


def test_module_verbs_take_a_path(poa_net, poa_pois):
    m = halfhour.matrix(poa_net.path, poa_pois[1].head(2), mode="car")
    assert len(m) == 4
    iso = halfhour.isochrone(poa_net.path, poa_pois[1].head(1), "walk", [5])
    assert len(iso) == 1
