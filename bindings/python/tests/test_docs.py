"""Every option of every verb's `--help` has its Python keyword, and the
method's docstring names it: the docstrings say what --help says, in the
names Python users write.  The few options without a keyword are listed
with the reason."""
import inspect
import re

import pytest

import halfhour
from conftest import run_cli

TRANSIT = {"--depart": "departure", "--window": "window", "--max-walk": "max_walk", "--max-rides": "max_rides",
           "--draws": "draws", "--walk-speed": "walk_speed"}
# CLI option -> keyword; None: no keyword, for the reason in NO_KEYWORD
VERBS = {
    "build": (halfhour.Network.build, {"-o": "out", "--gtfs": "gtfs", "--profile": "profile", "--set": "settings",
                                       "--timezone": "timezone", "--strict": "strict", "-q": None,
                                       "--opportunities": "opportunities", "--osm-layer": "osm_layers",
                                       "--polygons": "polygons", "--polygon-cell": "polygon_cell",
                                       "--no-preset-layers": "preset_layers"}),
    "info": (halfhour.Network.info, {"--json": None}),
    "verify": (halfhour.Network.verify, {}),
    "isochrone": (halfhour.Network.isochrones, dict(TRANSIT, **{"--from": "points", "--mode": "mode",
                                                                "--origins": "points", "--minutes": "minutes", "--snap-max": "snap_max",
                                                                "-o": None, "--surface": "surface", "--compare": "compare",
                                                                "--percentile": "percentile",
                                                                "--generalize": "generalize", "--denoise": "denoise",
                                                                "--holes": "holes", "--threads": "threads"})),
    "matrix": (halfhour.Network.travel_time_matrix, dict(TRANSIT, **{
        "--origins": "origins", "--destinations": "destinations", "--mode": "mode", "--max-minutes": "max_minutes",
        "--threads": "threads", "--snap-max": "snap_max", "-o": None, "--percentiles": "percentiles",
        "--mpi": None, "--checkpoint": None})),
    "access": (halfhour.Network.access, dict(TRANSIT, **{
        "--mode": "mode", "--grid": "grid", "--origins": "origins", "--opportunities": "opportunities",
        "--opportunities-file": "opportunities_file", "--preset": "preset", "--minutes": "minutes",
        "--decay": "decay", "--decay-value": "decay_value", "--nearest": "nearest", "--2sfca": "sfca",
        "--summary": "summary", "--weights": "weights", "--thresholds": "thresholds",
        "--by-district": "by_district", "--threads": "threads", "--snap-max": "snap_max",
        "--max-minutes": "max_minutes", "-o": "out", "--percentiles": "percentiles",
        "--percentile-of": "percentile_of", "--compare": "compare", "--mpi": None, "--checkpoint": None})),
    "report": (halfhour.Network.report, dict(TRANSIT, **{
        "--centres": "centres", "--minutes": "minutes", "--modes": "modes", "--layer": "layer",
        "--by-district": "by_district", "--threads": "threads", "--snap-max": "snap_max", "-o": "out",
        "--percentiles": "percentiles", "--percentile": "percentile", "--compare": "compare"})),
    "site": (halfhour.Network.site, dict(TRANSIT, **{
        "--mode": "mode", "--minutes": "minutes", "--demand": "demand", "--candidates": "candidates",
        "--grid": "grid", "--k": "k", "--cover": "cover", "--existing": "existing",
        "--opportunities-file": "opportunities_file", "--exact": "exact", "--time-limit": "time_limit",
        "--threads": "threads", "--snap-max": "snap_max", "-o": None, "--percentile": "percentile",
        "--mpi": None, "--checkpoint": None})),
    "scenario": (halfhour.Network.scenario, {"--change": "change", "-o": "out", "--quiet": "quiet"}),
}
NO_KEYWORD = {
    "-q": "Network.build prints nothing; its report is net.build_stats",
    "--json": "info() returns the --json document as a dict",
    "-o": "the result is returned (a DataFrame / GeoDataFrame: .to_csv, .to_file)",
    "--mpi": "runs across MPI ranks are the CLI's (mpirun ... halfhour ... --mpi, docs/cluster.md)",
    "--checkpoint": "not in the Python package yet: the CLI's resumable runs (docs/cluster.md)",
}


OPT = r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-o|-q)(?![\w-])"


def options(help_text):
    """The options a verb defines: those of its usage block (up to the first
    blank line) and those starting a line of the option lists (prose naming
    another verb's options does not count)."""
    usage = help_text.split("\n\n", 1)[0]
    found = set(re.findall(OPT, usage))
    for line in help_text.splitlines():
        m = re.match(r"\s+" + OPT, line)
        if m:
            found.add(m.group(1))
    return found - {"--help", "-h"}


# a prose line of build --help that starts with another verb's option
PROSE = {"build": {"--max-walk"}}


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_option_has_a_documented_keyword(hh_bin, verb):
    fn, table = VERBS[verb]
    opts = options(run_cli(verb, "--help").stdout) - PROSE.get(verb, set())
    # verify takes the file and nothing else; for every other verb an empty
    # set means the help was not parsed
    assert opts or (verb == "verify" and not table), verb
    assert opts <= set(table), "options of `halfhour %s --help` without a keyword: %s" % (verb, opts - set(table))
    params = inspect.signature(fn).parameters
    doc = fn.__doc__
    assert ("halfhour %s" % verb) in doc
    for opt in opts:
        kw = table[opt]
        if kw is None:
            assert opt in NO_KEYWORD
            continue
        assert kw in params, (verb, opt, kw)
        assert re.search(r"\b%s\b" % re.escape(kw), doc), "%s: docstring does not name %s (%s)" % (verb, kw, opt)


def test_every_verb_has_a_function(hh_bin):
    verbs = [l.split()[0] for l in run_cli("--help").stdout.splitlines() if l.startswith("  ")]
    # export and coords are file conversions, no analysis: the CLI covers them; serve is the HTTP server
    # (a process of its own, not a call)
    assert set(verbs) - {"export", "coords", "serve"} == set(VERBS)
    for v in VERBS:
        assert callable(getattr(halfhour, v))
