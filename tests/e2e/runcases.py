#!/usr/bin/env python3
"""runcases.py: runs tests/e2e/cases/*.case against a halfhour binary.

    python3 tests/e2e/runcases.py --bin BIN [--tools DIR] [--data DIR]
        --tmp DIR [--counts FILE] [-v] [NAME-SUBSTRING...]

Called by run.sh; prints one line per case (`ok`/`FAIL`/`skipped`) with the
reason of a failure or skip, and writes "PASSED FAILED SKIPPED" to --counts
(run.sh counts a skip as a failure when the data folder exists).  The case
format is described in README.md beside this file.
"""
import argparse
import csv
import glob
import io
import json
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import asciimap  # noqa: E402
import casefile  # noqa: E402
import geojsoncheck  # noqa: E402

MATRIX_HEADER = ["from_id", "to_id", "travel_time_s", "distance_m"]
TIMEOUT = float(os.environ.get("HH_E2E_TIMEOUT", "300"))


class Fail(Exception):
    pass


class Skip(Exception):
    pass


class Result:
    def __init__(self, argv, rc, out, err, outfile):
        self.argv = argv
        self.rc = rc
        self.stdout = out
        self.stderr = err
        self.outfile = outfile  # path of {out...} when the command used it

    def output(self):
        """The step's result: the -o file if the command named one, else
        stdout."""
        if self.outfile is not None:
            if not os.path.exists(self.outfile):
                raise Fail("no output file at %s" % self.outfile)
            with open(self.outfile, "rb") as f:
                return f.read().decode("utf-8", "replace")
        return self.stdout


class Runner:
    def __init__(self, case, opts, tmp):
        self.case = case
        self.opts = opts
        self.tmp = tmp
        self.net = None
        self.results = []
        self.warnings = []
        os.makedirs(tmp, exist_ok=True)
        self.osm = os.path.join(tmp, "map.osm")
        self.written = {}
        self.amap, self.ways, self.points = None, [], {}
        if case.map is None:  # a real-data case: no generated map
            return
        amap, ways, points = case.geometry()
        self.amap, self.ways = amap, ways
        self.points = {pid: (lon, lat) for pid, lon, lat in points}
        asciimap.write_outputs(amap, ways, points, osm=self.osm,
                               bz2_path=self.osm + ".bz2",
                               pbf=os.path.join(tmp, "map.osm.pbf"),
                               csv=os.path.join(tmp, "points.csv"))
        nodes = [(k, amap.coords[k][0], amap.coords[k][1]) for k in amap.order]
        with open(os.path.join(tmp, "nodes.csv"), "w") as f:
            f.write(asciimap.points_csv(nodes))

    # ---- placeholders ----------------------------------------------------
    def coord(self, name):
        if name in self.points:
            return self.points[name]
        if self.amap is not None and name in self.amap.coords:
            return self.amap.coords[name]
        raise Fail("unknown point '%s'" % name)

    def subset_csv(self, ids):
        path = os.path.join(self.tmp, "pts_%s.csv" % re.sub(r"[^\w]", "_", "_".join(ids)))
        rows = [(i,) + tuple(self.coord(i)) for i in ids]
        with open(path, "w") as f:
            f.write(asciimap.points_csv(rows))
        return path

    def file_path(self, name):
        if name not in self.case.files:
            raise Fail("no 'file %s:' section" % name)
        if name not in self.written:
            path = os.path.join(self.tmp, name)
            text = self.subst(self.case.files[name], None)
            with open(path, "w", newline="") as f:
                f.write(text.replace("\\r", "\r"))
            self.written[name] = path
        return self.written[name]

    def build_net(self):
        if self.amap is None:
            raise Fail("{net} needs a map: section")
        if self.net is None:
            path = os.path.join(self.tmp, "net.hh")
            argv = [self.opts.bin, "build", self.osm, "-o", path, "-q"]
            for s in self.case.sets:
                argv += ["--set", s]
            argv += shlex.split(self.subst(self.case.build_args, None))
            r = self.exec(argv)
            if r.rc != 0 or not os.path.exists(path):
                raise Fail("building the network failed (exit %d): %s\n    %s"
                           % (r.rc, r.stderr.strip()[-2000:], shlex.join(argv)))
            self.net = path
        return self.net

    def subst(self, s, step_no):
        outfile = [None]

        def rep(m):
            key, arg = m.group(1), m.group(2)
            if key == "net":
                return self.build_net()
            if key in ("osm", "osm.bz2", "osm.pbf"):
                return os.path.join(self.tmp, "map." + key)
            if key == "pts":
                if arg is None:
                    return os.path.join(self.tmp, "points.csv")
                return self.subset_csv([x for x in arg.split(",") if x])
            if key == "nodes":
                return os.path.join(self.tmp, "nodes.csv")
            if key == "ll":
                lon, lat = self.coord(arg)
                return "%s,%s" % (asciimap.fmt(lon), asciimap.fmt(lat))
            if key == "lon":
                return asciimap.fmt(self.coord(arg)[0])
            if key == "lat":
                return asciimap.fmt(self.coord(arg)[1])
            if key == "file":
                return self.file_path(arg)
            if key == "tmp":
                return self.tmp
            if key == "bin":
                return self.opts.bin
            if key == "tools":
                return self.opts.tools
            if key == "data":
                return self.opts.data
            if key.startswith("out"):
                if step_no is None:
                    raise Fail("{out} outside a run: line")
                ext = key[3:] or ".out"
                outfile[0] = os.path.join(self.tmp, "step%d%s" % (step_no, ext))
                return outfile[0]
            raise Fail("unknown placeholder {%s}" % m.group(0)[1:-1])

        text = re.sub(r"\{(net|osm\.bz2|osm\.pbf|osm|pts|nodes|ll|lon|lat|file|tmp|bin|"
                      r"tools|data|out(?:\.[\w.]+)?)(?::([^{}]*))?\}", rep, s)
        self._last_outfile = outfile[0]
        return text

    # ---- running ----------------------------------------------------------
    def exec(self, argv, shell=False):
        try:
            p = subprocess.run(argv, cwd=self.tmp, capture_output=True,
                               timeout=TIMEOUT, shell=False)
        except subprocess.TimeoutExpired:
            raise Fail("timed out after %gs: %s" % (TIMEOUT, shlex.join(argv)))
        except OSError as e:
            raise Fail("cannot run %s: %s" % (argv[0], e))
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"), None)

    def run_step(self, n, step):
        text = self.subst(step.cmd, n)
        outfile = self._last_outfile
        if step.kind == "sh":
            argv = ["bash", "-c", "set -eo pipefail; " + text]
        else:
            argv = shlex.split(text)
            if argv and argv[0] == "halfhour":
                argv[0] = self.opts.bin
        r = self.exec(argv)
        r.outfile = outfile
        return r


# ---- comparisons -----------------------------------------------------------

def parse_csv(text):
    return list(csv.reader(io.StringIO(text)))


def cell_ok(want, got):
    """`*` matches anything, `a|b` either, `10..20` an integer in range."""
    if want == "*":
        return True
    for alt in want.split("|"):
        m = re.match(r"^(-?\d+)\.\.(-?\d+)$", alt)
        if m:
            try:
                if int(m.group(1)) <= int(got) <= int(m.group(2)):
                    return True
            except ValueError:
                pass
        elif alt == got:
            return True
    return False


def show_rows(rows):
    return "\n".join("      " + ",".join(r) for r in rows)


def check_csv(exp, out):
    want = parse_csv("\n".join(exp.block))
    got = parse_csv(out)
    bad = []
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        if w is None or g is None or len(w) != len(g) or not all(
                cell_ok(a, b) for a, b in zip(w, g)):
            bad.append(i)
    if bad:
        raise Fail("CSV differs at row(s) %s\n    want:\n%s\n    got:\n%s"
                   % (", ".join(str(i + 1) for i in bad[:10]), show_rows(want),
                      show_rows(got)))


def check_table(exp, out, column):
    lines = [l.split() for l in exp.block if l.strip()]
    if not lines:
        raise Fail("empty expect table")
    dests = lines[0]
    want = []
    for row in lines[1:]:
        if len(row) != len(dests) + 1:
            raise Fail("expect table row %r has %d cells, header %d"
                       % (row[0], len(row) - 1, len(dests)))
        for d, v in zip(dests, row[1:]):
            want.append((row[0], d, "" if v == "-" else v))
    got = parse_csv(out)
    if not got or got[0] != MATRIX_HEADER:
        raise Fail("matrix header is %r, want %r" % (got[0] if got else None,
                                                     ",".join(MATRIX_HEADER)))
    col = MATRIX_HEADER.index(column)
    rows = got[1:]
    problems = []
    if len(rows) != len(want):
        problems.append("%d rows, want %d" % (len(rows), len(want)))
    for i, (o, d, v) in enumerate(want):
        if i >= len(rows):
            break
        g = rows[i]
        if len(g) != 4:
            problems.append("row %d has %d fields: %r" % (i + 1, len(g), g))
            continue
        if (g[0], g[1]) != (o, d):
            problems.append("row %d is %s->%s, want %s->%s (origins outer, input order)"
                            % (i + 1, g[0], g[1], o, d))
            continue
        if not cell_ok(v, g[col]):
            problems.append("%s->%s %s=%r, want %r" % (o, d, column, g[col], v))
    if problems:
        raise Fail("matrix %s differs:\n      %s\n    output:\n%s"
                   % (column, "\n      ".join(problems[:20]), show_rows(got)))


def check_json_block(exp, text):
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise Fail("output is not JSON: %s" % e)
    for line in exp.block:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^(\S+)\s+(exists|==|!=|<=|>=|<|>)\s*(.*)$", line)
        if not m:
            raise Fail("bad json expectation %r" % line)
        path, op, val = m.groups()
        cur = doc
        for part in path.split("."):
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
                cur = cur[int(part)]
            else:
                raise Fail("JSON has no %s (keys: %s)" % (
                    path, ", ".join(sorted(doc)) if isinstance(doc, dict) else "-"))
        if op == "exists":
            continue
        want = json.loads(val)
        ok = {"==": cur == want, "!=": cur != want}.get(op)
        if ok is None:
            ok = {"<": cur < want, ">": cur > want, "<=": cur <= want,
                  ">=": cur >= want}[op]
        if not ok:
            raise Fail("JSON %s is %r, want %s %s" % (path, cur, op, val))


def strip_keys(doc, keys):
    if isinstance(doc, dict):
        return {k: strip_keys(v, keys) for k, v in doc.items() if k not in keys}
    if isinstance(doc, list):
        return [strip_keys(v, keys) for v in doc]
    return doc


def match_props(props, sel):
    for k, v in sel.items():
        if k not in props:
            return False
        p = props[k]
        try:
            if float(p) != float(v):
                return False
        except (TypeError, ValueError):
            if str(p) != v:
                return False
    return True


def parse_sel(text):
    sel = {}
    for t in text.split():
        if "=" not in t:
            raise Fail("bad feature selector %r" % t)
        k, v = t.split("=", 1)
        sel[k] = v
    return sel


def iso_args(argv):
    n_from, minutes, mode = 0, None, None
    for i, a in enumerate(argv):
        if a == "--from":
            n_from += 1
        elif a == "--minutes" and i + 1 < len(argv):
            try:
                minutes = [float(x) for x in argv[i + 1].split(",")]
            except ValueError:
                minutes = None
        elif a == "--mode" and i + 1 < len(argv):
            mode = argv[i + 1]
    return n_from, minutes, mode


def check_geojson(runner, res, exp):
    try:
        fc = json.loads(res.output())
    except ValueError as e:
        raise Fail("output is not JSON: %s" % e)
    feats = fc.get("features", []) if isinstance(fc, dict) else []
    for line in exp.block:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word == "count":
            if len(feats) != int(rest):
                raise Fail("%d features, want %s" % (len(feats), rest))
            continue
        sel_text, _, args = rest.partition(":")
        sel = parse_sel(sel_text)
        hits = [f for f in feats if match_props(f.get("properties") or {}, sel)]
        if len(hits) != 1:
            raise Fail("%d features match %s (want exactly 1)" % (len(hits), sel_text.strip()))
        f = hits[0]
        if word == "feature":
            continue
        polys = geojsoncheck.polygons_of(f["geometry"])
        if word in ("contains", "excludes"):
            for pid in args.split():
                lon, lat = runner.coord(pid)
                inside = geojsoncheck.contains(polys, lon, lat)
                if inside != (word == "contains"):
                    raise Fail("feature %s %s point %s (%s,%s)" % (
                        sel_text.strip(), "does not contain" if word == "contains"
                        else "contains", pid, asciimap.fmt(lon), asciimap.fmt(lat)))
        elif word == "area":
            lo, hi = (float(x) for x in args.strip().split(".."))
            a = f["properties"].get("area_km2")
            if not isinstance(a, (int, float)) or not lo <= a <= hi:
                raise Fail("feature %s area_km2 %r not in %s" % (sel_text.strip(), a,
                                                                args.strip()))
        else:
            raise Fail("unknown geojson expectation %r" % word)


def auto_checks(runner, res, step, expected_rc):
    """Checks every step gets: a failing halfhour run prints one error line
    and leaves no output file; a successful isochrone is valid GeoJSON."""
    is_hh = step.kind == "run" and res.argv and res.argv[0] == runner.opts.bin
    if not is_hh:
        return
    if res.rc != 0:
        lines = res.stderr.splitlines()
        if len(lines) != 1 or "error" not in lines[0]:
            raise Fail("a failing run must print one line containing 'error' on "
                       "stderr; got %d lines:\n%s" % (len(lines), res.stderr[-1500:]))
        if res.rc == 1 and not lines[0].startswith("halfhour: error: "):
            raise Fail("exit 1 must come with 'halfhour: error: <reason>', got %r"
                       % lines[0])
        if res.outfile and os.path.exists(res.outfile):
            raise Fail("failed run left an output file at %s" % res.outfile)
        if res.outfile:
            d = os.path.dirname(res.outfile)
            stray = [x for x in os.listdir(d) if x.startswith(
                os.path.basename(res.outfile)) or x.endswith(".tmp")]
            if stray:
                raise Fail("failed run left temporary files: %s" % stray)
        return
    if len(res.argv) > 1 and res.argv[1] == "isochrone" and not any(
            a in ("--help", "-h") for a in res.argv):
        try:
            fc = json.loads(res.output())
        except ValueError as e:
            raise Fail("isochrone output is not JSON: %s" % e)
        n_from, minutes, mode = iso_args(res.argv)
        if "--compare" in res.argv and isinstance(fc, dict):
            # base, scenario, gained, lost per cutoff: the scenario's bands
            # get the isochrone checks, geocheck below sees every polygon
            fc = dict(fc, features=[f for f in fc.get("features", [])
                                    if f.get("properties", {}).get("part") == "scenario"])
        errs, warns = geojsoncheck.validate(fc, n_from, minutes, mode)
        for w in warns[:3]:
            runner.warnings.append("step %d: %s" % (step.n, w))
        if errs:
            raise Fail("isochrone GeoJSON: " + "\n      ".join(errs[:10]))
        geocheck = os.path.join(runner.opts.tools or "", "geocheck")
        if runner.opts.tools and os.access(geocheck, os.X_OK):
            path = res.outfile
            if path is None:
                path = os.path.join(runner.tmp, "step%d.stdout.geojson" % step.n)
                with open(path, "w") as f:
                    f.write(res.stdout)
            g = runner.exec([geocheck, path])
            if g.rc != 0:
                raise Fail("geocheck rejects the isochrone (exit %d): %s"
                           % (g.rc, (g.stdout + g.stderr).strip()[-1500:]))
        elif not runner.opts.geocheck_noted:
            runner.opts.geocheck_noted = True
            runner.warnings.append("geocheck not found in HH_TOOLS=%s: GEOS validity "
                                   "checks skipped (Python checks still ran)"
                                   % runner.opts.tools)


def check_expect(runner, res, exp):
    k = exp.kind
    if k == "exit":
        return
    if k == "csv":
        check_csv(exp, res.output())
    elif k == "times":
        check_table(exp, res.output(), "travel_time_s")
    elif k == "dists":
        check_table(exp, res.output(), "distance_m")
    elif k == "stdout":
        want = "\n".join(exp.block) + "\n" if exp.block else exp.arg + "\n"
        if res.stdout != want:
            raise Fail("stdout differs\n    want:\n%s\n    got:\n%s" % (want, res.stdout))
    elif k == "output":
        want = "\n".join(exp.block) + "\n"
        if res.output() != want:
            raise Fail("output differs\n    want:\n%s\n    got:\n%s" % (want, res.output()))
    elif k in ("stdout-match", "stderr-match", "output-match"):
        text = {"stdout-match": res.stdout, "stderr-match": res.stderr,
                "output-match": None}[k]
        if text is None:
            text = res.output()
        if not re.search(exp.arg, text, re.M):
            raise Fail("%s /%s/ not found in:\n%s" % (k.split("-")[0], exp.arg,
                                                       text[-1500:]))
    elif k in ("stderr-nomatch", "stdout-nomatch", "output-nomatch"):
        text = {"stderr-nomatch": res.stderr, "stdout-nomatch": res.stdout,
                "output-nomatch": None}[k]
        if text is None:
            text = res.output()
        if re.search(exp.arg, text, re.M):
            raise Fail("%s unexpectedly matches /%s/:\n%s" % (k.split("-")[0], exp.arg,
                                                             text[-1500:]))
    elif k == "stderr-lines":
        n = len(res.stderr.splitlines())
        if n != int(exp.arg):
            raise Fail("stderr has %d lines, want %s:\n%s" % (n, exp.arg, res.stderr))
    elif k == "same-as":
        other = runner.results[int(exp.arg) - 1]
        if res.output() != other.output():
            a, b = other.output().splitlines(), res.output().splitlines()
            diff = [i for i in range(max(len(a), len(b)))
                    if (a[i] if i < len(a) else None) != (b[i] if i < len(b) else None)]
            raise Fail("output differs from step %s's (%d vs %d lines; first "
                       "difference at line %d: %r vs %r)" % (
                           exp.arg, len(a), len(b), diff[0] + 1,
                           a[diff[0]] if diff[0] < len(a) else None,
                           b[diff[0]] if diff[0] < len(b) else None))
    elif k == "same-json-as":
        words = exp.arg.split()
        other = runner.results[int(words[0]) - 1]
        ignore = set()
        if len(words) > 2 and words[1] == "ignore":
            ignore = set(words[2].split(","))
        try:
            a = strip_keys(json.loads(other.output()), ignore)
            b = strip_keys(json.loads(res.output()), ignore)
        except ValueError as e:
            raise Fail("not JSON: %s" % e)
        if a != b:
            raise Fail("JSON differs from step %s's (ignoring %s):\n    %s\n    %s"
                       % (words[0], ",".join(sorted(ignore)) or "-", json.dumps(a),
                          json.dumps(b)))
    elif k == "json":
        check_json_block(exp, res.output())
    elif k == "geojson":
        check_geojson(runner, res, exp)
    elif k == "no-output":
        if res.outfile and os.path.exists(res.outfile):
            raise Fail("output file exists at %s" % res.outfile)
    elif k == "file-absent":
        path = runner.subst(exp.arg, None)
        if os.path.exists(path):
            raise Fail("%s exists" % path)
    else:
        raise Fail("unknown expectation 'expect %s'" % k)


def expected_exit(step):
    for e in step.expects:
        if e.kind == "exit":
            return e.arg
    return "0"


def rc_ok(want, rc):
    if want == "nonzero":
        return rc != 0 and rc < 128 and rc > 0
    return rc == int(want)


def run_case(path, opts):
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path) as f:
        case = casefile.parse(f.read(), path)
    if "data" in case.requires and not os.path.isdir(opts.data or ""):
        raise Skip("needs real data at HH_DATA=%s" % opts.data)
    tmp = os.path.join(opts.tmp, name)
    runner = Runner(case, opts, tmp)
    for n, step in enumerate(case.steps, 1):
        step.n = n
        res = None
        try:
            res = runner.run_step(n, step)
            runner.results.append(res)
            want_rc = expected_exit(step)
            if not rc_ok(want_rc, res.rc):
                raise Fail("exit %d, want %s\n    stderr: %s" % (
                    res.rc, want_rc, res.stderr.strip()[-2000:] or "(empty)"))
            auto_checks(runner, res, step, want_rc)
            for exp in step.expects:
                try:
                    check_expect(runner, res, exp)
                except Fail as e:
                    raise Fail("(expect %s, line %d) %s" % (exp.kind, exp.lineno, e))
        except Fail as e:
            cmd = shlex.join(res.argv) if res is not None else step.cmd
            raise Fail("step %d (line %d) %s\n    $ %s" % (n, step.lineno, e, cmd))
    return case, runner


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--tools", default="")
    ap.add_argument("--data", default="")
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--counts")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("filters", nargs="*")
    opts = ap.parse_args(argv)
    opts.bin = os.path.abspath(opts.bin)
    opts.geocheck_noted = False
    files = sorted(glob.glob(os.path.join(HERE, "cases", "*.case")))
    if opts.filters:
        files = [f for f in files if any(x in os.path.basename(f) for x in opts.filters)]
    passed = failed = skipped = 0
    for path in files:
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            case, runner = run_case(path, opts)
        except Skip as e:
            skipped += 1
            print("skipped %s: %s" % (name, e))
            continue
        except (Fail, casefile.CaseError, asciimap.MapError) as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
            continue
        passed += 1
        print("ok   %s%s" % (name, (" - " + case.title) if opts.verbose and case.title else ""))
        for w in runner.warnings:
            print("     note: %s" % w)
    sys.stdout.flush()
    if opts.counts:
        with open(opts.counts, "w") as f:
            f.write("%d %d %d\n" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
