"""Network.scenario against `halfhour scenario`: the same change file on the
same base gives the same network (every answer of info but the time it was
applied), the change recorded, and the same one-line errors."""
import hashlib
import json
import os

import pytest

import halfhour
from conftest import ROOT, cli_error, run_cli

BRIDGE = os.path.join(ROOT, "regions", "porto", "scenario_bridge.geojson")


def info_json(path):
    d = json.loads(run_cli("info", path, "--json").stdout)
    d.pop("network", None)
    for k in list(d):
        if isinstance(d[k], dict):
            d[k].pop("applied_at", None)
    return d


def test_scenario_equals_cli(tmp_path, porto_net):
    py = tmp_path / "py.hh"
    new = porto_net.scenario(BRIDGE, py)
    try:
        st = new.scenario_stats
        assert st["modifications"] >= 1 and st["streets_added"] >= 1
        assert st["sha256"] == hashlib.sha256(open(BRIDGE, "rb").read()).hexdigest()
        cli = tmp_path / "cli.hh"
        run_cli("scenario", porto_net.path, "--change", BRIDGE, "-o", cli, "--quiet")
        a, b = info_json(py), info_json(cli)
        assert a == b
        assert st["sha256"] in json.dumps(a)
        # the module-level form on a path
        again = halfhour.scenario(porto_net.path, BRIDGE, tmp_path / "again.hh")
        assert again.scenario_stats["sha256"] == st["sha256"]
        again.close()
    finally:
        new.close()


def test_scenario_errors_are_the_cli_messages(tmp_path, porto_net):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"type": "adjust-frequency", "route_id": "x",
                                                            "headway_min": 0}}]}))
    want = cli_error("scenario", porto_net.path, "--change", bad, "-o", tmp_path / "c.hh")
    with pytest.raises(halfhour.HalfhourError) as e:
        porto_net.scenario(bad, tmp_path / "p.hh")
    assert str(e.value) == want
    assert not (tmp_path / "p.hh").exists()
