"""Fixtures: the real data of ../shared/data (HH_DATA overrides), networks
built from it once per run into a temporary folder, and the CLI (HH_BIN,
else build/rel/halfhour) whose output every Python result is compared
with.  Without the data folder the tests that need it are skipped (and
counted as skipped); with it, a missing file is a failure, never a skip."""
import csv
import json
import os
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DATA = os.environ.get("HH_DATA") or os.path.join(ROOT, "..", "shared", "data")
HH_BIN = os.environ.get("HH_BIN") or os.path.join(ROOT, "build", "rel", "halfhour")


def data(rel):
    """The path of a real-data file; skips only when the whole folder is absent."""
    if not os.path.isdir(DATA):
        pytest.skip("real data absent (%s)" % DATA)
    p = os.path.join(DATA, rel)
    assert os.path.exists(p), "%s missing while the data folder exists" % p
    return p


@pytest.fixture(scope="session")
def hh_bin():
    assert os.access(HH_BIN, os.X_OK), "no CLI at %s (make first)" % HH_BIN
    return HH_BIN


def run_cli(*args, ok=True):
    r = subprocess.run([HH_BIN] + [str(a) for a in args], capture_output=True, text=True)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def cli_error(*args):
    """The one-line message of a failing CLI run, without "halfhour: error: "."""
    r = run_cli(*args, ok=False)
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.startswith("halfhour: error: ")]
    assert len(lines) == 1, r.stderr
    return lines[0][len("halfhour: error: "):]


def cli_warnings(stderr):
    return [l[len("halfhour: warning: "):] for l in stderr.splitlines() if l.startswith("halfhour: warning: ")]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def half_up(x):
    """The CLI's rounding of matrix times: floor(x + 0.5), '' for NaN."""
    return "" if np.isnan(x) else "%.0f" % np.floor(x + 0.5)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("halfhour-py")


@pytest.fixture(scope="session")
def poa_net(workdir):
    """Porto Alegre: streets, both GTFS feeds, the hexagons' layers (built by Python)."""
    import halfhour
    osm = data("poa/poa_osm.pbf")
    net = halfhour.Network.build(osm, gtfs=[data("poa/poa_eptc.zip"), data("poa/poa_trensurb.zip")],
                                 out=workdir / "poa.hh", opportunities=[data("poa/poa_hexgrid.csv")])
    yield net
    net.close()


@pytest.fixture(scope="session")
def porto_net(workdir, hh_bin):
    """Porto: streets only (built by the CLI)."""
    import halfhour
    run_cli("build", data("porto/porto.osm.pbf"), "-o", workdir / "porto.hh", "-q")
    net = halfhour.Network.open(workdir / "porto.hh")
    yield net
    net.close()


@pytest.fixture(scope="session")
def porto_points(workdir, porto_net):
    """300 points drawn with a fixed seed in porto's bbox (CSV and DataFrame)."""
    import pandas as pd
    b = porto_net.info()["bbox"]
    r = np.random.default_rng(20250110)
    n = 300
    df = pd.DataFrame({"id": ["p%03d" % i for i in range(n)], "lon": r.uniform(b[0], b[2], n),
                       "lat": r.uniform(b[1], b[3], n)})
    path = workdir / "porto_points.csv"
    df.to_csv(path, index=False, float_format="%.7f")
    return path, pd.read_csv(path)


@pytest.fixture(scope="session")
def poa_pois():
    import pandas as pd
    p = data("poa/poa_points_of_interest.csv")
    return p, pd.read_csv(p)


@pytest.fixture(scope="session")
def poa_hexes():
    import pandas as pd
    p = data("poa/poa_hexgrid.csv")
    return p, pd.read_csv(p)


def pytest_sessionfinish(session, exitstatus):
    """With the data folder present a skipped test fails the run (as the
    unit and end-to-end runners do): nothing passes by skipping."""
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and os.path.isdir(DATA) and tr.stats.get("skipped"):
        tr.write_line("halfhour: %d tests skipped although %s exists" % (len(tr.stats["skipped"]), DATA), red=True)
        session.exitstatus = 1
