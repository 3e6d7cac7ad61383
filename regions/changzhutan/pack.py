#!/usr/bin/env python3
"""pack.py: the Chang-Zhu-Tan region pack's files, made from ../shared/data/changzhutan.

    python3 regions/changzhutan/pack.py static --data DATA --halfhour BIN [--out DIR] [--check]
        centres.csv, population_2020.csv, metro_lines.csv, metro_lines.geojson
        (committed beside this script; --check compares instead of writing
        and exits 1 on any difference)
    python3 regions/changzhutan/pack.py districts --data DATA --out DIR WGS84_GEOJSON...
        districts.geojson, population.geojson and district_population.csv
        from the three cities' district files already converted to WGS-84
        (scripts/region.sh converts them with `halfhour coords`)

DATA is the folder holding the source files (../shared/data/changzhutan).
Python 3 standard library only.  Every number that is not in the sources is
an ASSUMPTION and named so in the column (assumed_*) and in README.md.
"""
import argparse
import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
R = 6371008.8

CITIES = [  # adcode, name, district file (GCJ-02), centre district
    ("430100", "长沙", "hu2_nan2_chang2_sha1.geojson"),
    ("430200", "株洲", "hu2_nan2_zhu1_zhou1.geojson"),
    ("430300", "湘潭", "hu2_nan2_xiang1_tan2.geojson"),
]

# ASSUMPTION: no timetable of Changsha Metro is available here.  Headways
# in minutes (peak, off-peak) and the running speed between stations
# (km/h, dwell excluded) are round figures of the kind the operator
# publishes for its lines, not measurements: replace them with a GTFS feed
# or the published timetable when a scenario depends on them.
ASSUMED = {
    "1号线": (4, 7, 45),
    "2号线": (4, 7, 45),
    "3号线": (6, 8, 45),
    "4号线": (6, 8, 45),
    "5号线": (6, 8, 45),
    "6号线": (6, 8, 45),
    "S2线": (10, 15, 60),  # the airport maglev
}
ASSUMED_DWELL_S = 30  # ASSUMPTION: every stop, every line
ASSUMED_TRACK_FACTOR = 1.1  # ASSUMPTION: track length / straight line between stations
ASSUMED_SERVICE = ("06:30", "23:00")  # ASSUMPTION: first and last departure, every line, every day


def haversine(lon1, lat1, lon2, lat2):
    d = math.pi / 180
    a = math.sin((lat2 - lat1) * d / 2) ** 2 + math.cos(lat1 * d) * math.cos(lat2 * d) * math.sin((lon2 - lon1) * d / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def csv_text(header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def to_wgs84(halfhour, pts):
    """GCJ-02 (lon, lat) pairs -> WGS-84 through `halfhour coords` (one code path)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.csv"), os.path.join(tmp, "out.csv")
        with open(src, "w") as f:
            f.write(csv_text(["id", "lon", "lat"], [[i, x, y] for i, (x, y) in enumerate(pts)]))
        subprocess.run([halfhour, "coords", "--from", "gcj02", "--to", "wgs84", "-q", src, "-o", dst], check=True)
        return [(float(r["lon"]), float(r["lat"])) for r in read_csv(dst)]


def static_files(data, halfhour):
    files = {}
    st = {r["station_id"]: r for r in read_csv(os.path.join(data, "changsha_metro_stations.csv"))}

    # centres: 长沙 at Wuyi Square (五一广场, where metro lines 1 and 2 cross:
    # the stations file's WGS-84 column); 株洲 and 湘潭 at the source's
    # centre point ("cp", GCJ-02) of the district holding the old city core
    cp = {}
    for adcode, _, fn in CITIES:
        with open(os.path.join(data, fn), encoding="utf-8") as f:
            for feat in json.load(f)["features"]:
                cp[feat["properties"]["name"]] = feat["properties"]["cp"]
    zz, xt = to_wgs84(halfhour, [cp["芦淞区"], cp["雨湖区"]])
    wy = next(r for r in st.values() if r["name"] == "五一广场")
    # the points and their sources are listed in README.md; the file keeps
    # to the report's columns
    files["centres.csv"] = csv_text(
        ["id", "name", "lon", "lat"],
        [
            ["changsha", "长沙", wy["lon_wgs84"], wy["lat_wgs84"]],
            ["zhuzhou", "株洲", "%.6f" % zz[0], "%.6f" % zz[1]],
            ["xiangtan", "湘潭", "%.6f" % xt[0], "%.6f" % xt[1]],
        ],
    )

    pop = read_csv(os.path.join(data, "czt_city_population_2020.csv"))
    files["population_2020.csv"] = csv_text(
        ["adcode", "name", "population_2020_census", "source"],
        [[r["adcode"], r["name"], r["population_2020_census"], r["source"]] for r in pop],
    )

    lines = {}
    for r in read_csv(os.path.join(data, "changsha_metro_lines.csv")):
        lines.setdefault(r["line"], []).append(r)
    rows, feats, adds = [], [], []
    for name, stops in lines.items():
        stops.sort(key=lambda r: int(r["seq"]))
        if [int(r["seq"]) for r in stops] != list(range(len(stops))):
            sys.exit("pack.py: %s: station sequence has gaps" % name)
        peak, off, kmh = ASSUMED[name]
        coords, runs, total_s, prev = [], [], 0.0, None
        for r in stops:
            s = st[r["station_id"]]
            x, y = float(s["lon_wgs84"]), float(s["lat_wgs84"])
            d = haversine(prev[0], prev[1], x, y) if prev else 0.0
            run = d * ASSUMED_TRACK_FACTOR / (kmh / 3.6) if prev else 0.0
            if prev:
                total_s += run + ASSUMED_DWELL_S
                runs.append(round(run))
            rows.append([name, r["color"], r["seq"], r["station_id"], s["name"], s["pinyin"], s["lon_wgs84"],
                         s["lat_wgs84"], "%.0f" % d, "%.0f" % run, ASSUMED_DWELL_S, peak, off, kmh,
                         ASSUMED_TRACK_FACTOR])
            coords.append([x, y])
            prev = (x, y)
        feats.append({
            "type": "Feature",
            "properties": {
                "line": name, "color": stops[0]["color"], "stations": [st[r["station_id"]]["name"] for r in stops],
                "station_ids": [int(r["station_id"]) for r in stops],
                "assumed_headway_peak_min": peak, "assumed_headway_offpeak_min": off,
                "assumed_speed_kmh": kmh, "assumed_dwell_s": ASSUMED_DWELL_S,
                "assumed_track_factor": ASSUMED_TRACK_FACTOR,
                "assumed_end_to_end_min": round(total_s / 60, 1),
            },
            "geometry": {"type": "LineString", "coordinates": coords},
        })
        # the same line as a halfhour scenario modification (docs/scenarios.md):
        # every station a stop, the off-peak headway all day (the assumptions above)
        adds.append({
            "type": "Feature",
            "properties": {
                "type": "add-line", "name": "长沙地铁 " + name, "mode": "metro", "headway_min": off,
                "run_times_s": runs, "dwell_s": ASSUMED_DWELL_S, "start": ASSUMED_SERVICE[0],
                "end": ASSUMED_SERVICE[1], "bidirectional": True, "timezone": "Asia/Shanghai",
            },
            "geometry": {"type": "LineString", "coordinates": coords},
        })
    files["metro_lines.csv"] = csv_text(
        ["line", "color", "seq", "station_id", "station_name", "pinyin", "lon", "lat", "dist_from_prev_m",
         "assumed_run_s_from_prev", "assumed_dwell_s", "assumed_headway_peak_min", "assumed_headway_offpeak_min",
         "assumed_speed_kmh", "assumed_track_factor"], rows)
    files["metro_lines.geojson"] = json.dumps(
        {"type": "FeatureCollection",
         "name": "changsha_metro_lines (WGS-84; straight lines between stations; assumed_* are ASSUMPTIONS)",
         "features": feats}, ensure_ascii=False, indent=None, separators=(",", ":")).replace(
        '{"type":"Feature"', '\n{"type":"Feature"') + "\n"
    files["metro_scenario.geojson"] = json.dumps(
        {"type": "FeatureCollection", "features": adds}, ensure_ascii=False, indent=None,
        separators=(",", ":")).replace('{"type":"Feature"', '\n{"type":"Feature"') + "\n"
    return files


def ring_area_m2(ring):
    """Area of a lon/lat ring on the sphere (Chamberlain & Duquette 2007)."""
    s = 0.0
    d = math.pi / 180
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        s += (x2 - x1) * d * (2 + math.sin(y1 * d) + math.sin(y2 * d))
    return abs(s) * R * R / 2


def polygons(geom):
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]


def area_km2(geom):
    return sum(ring_area_m2(p[0]) - sum(ring_area_m2(h) for h in p[1:]) for p in polygons(geom)) / 1e6


def district_files(data, converted):
    pop = {r["adcode"]: int(r["population_2020_census"])
           for r in read_csv(os.path.join(data, "czt_city_population_2020.csv"))}
    if len(converted) != len(CITIES):
        sys.exit("pack.py: districts: want %d converted files (%s), got %d"
                 % (len(CITIES), ", ".join(c[2] for c in CITIES), len(converted)))
    feats, rows = [], []
    for (adcode, city, _), path in zip(CITIES, converted):
        with open(path, encoding="utf-8") as f:
            fs = json.load(f)["features"]
        areas = [area_km2(ft["geometry"]) for ft in fs]
        total = sum(areas)
        for ft, a in zip(fs, areas):
            # ASSUMPTION: the 2020 census gives city totals only; each city's
            # residents are spread over its districts in proportion to area
            p = pop[adcode] * a / total
            props = {"adcode": str(ft.get("id", "")), "name": ft["properties"]["name"], "city": city,
                     "city_adcode": adcode, "area_km2": round(a, 1), "assumed_population": round(p)}
            feats.append({"type": "Feature", "properties": props, "geometry": ft["geometry"]})
            rows.append([props["adcode"], props["name"], city, adcode, props["area_km2"], props["assumed_population"]])
    dist = {"type": "FeatureCollection", "features": feats}
    popl = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"district": f["properties"]["name"],
                                           "population": f["properties"]["assumed_population"]},
         "geometry": f["geometry"]} for f in feats]}
    dump = lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n"
    return {
        "districts.geojson": dump(dist),
        "population.geojson": dump(popl),
        "district_population.csv": csv_text(
            ["adcode", "name", "city", "city_adcode", "area_km2", "assumed_population"], rows),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["static", "districts"])
    ap.add_argument("--data", required=True)
    ap.add_argument("--halfhour")
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("converted", nargs="*")
    a = ap.parse_intermixed_args()
    if a.what == "static":
        if not a.halfhour:
            sys.exit("pack.py: static needs --halfhour BIN")
        files = static_files(a.data, a.halfhour)
    else:
        files = district_files(a.data, a.converted)
    bad = 0
    for name, text in files.items():
        path = os.path.join(a.out, name)
        if a.check:
            try:
                with open(path, encoding="utf-8") as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                print("pack.py: %s differs from what the sources give" % path, file=sys.stderr)
                bad = 1
            continue
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return bad


if __name__ == "__main__":
    sys.exit(main())
