#!/usr/bin/env python3
"""seeds.py DATA OUT: seed inputs for the libFuzzer campaigns (`make fuzz`),
small pieces cut from the real data in DATA (../shared/data) plus hand-made
edge cases, written to OUT/<harness>/.  The campaign merges them into
tests/fuzz/corpus/<harness>/ (-merge=1 keeps only inputs that add
coverage), so no data file is copied into the repository whole."""
import csv, io, os, subprocess, sys, tempfile, zipfile

data, out = sys.argv[1], sys.argv[2]
SEP = "\n=====\n"
GTFS_FILES = ["agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt",
              "calendar_dates.txt", "frequencies.txt", "transfers.txt"]


def put(h, name, b):
    os.makedirs(f"{out}/{h}", exist_ok=True)
    open(f"{out}/{h}/{name}", "wb").write(b if isinstance(b, bytes) else b.encode())


def rows(z, name):
    for n in z.namelist():
        if n.lower().rsplit("/", 1)[-1] == name:
            t = z.read(n).decode("utf-8-sig", "replace")
            return list(csv.reader(io.StringIO(t)))
    return []


def text(rs):
    s = io.StringIO()
    csv.writer(s, lineterminator="\n").writerows(rs)
    return s.getvalue()


def gtfs_subset(path, n_trips):
    """A consistent feed of the first n_trips trips: their stop times,
    stops, routes, services, frequencies and transfers among those stops."""
    z = zipfile.ZipFile(path)
    t = {f: rows(z, f) for f in GTFS_FILES}
    trips = t["trips.txt"]
    h = trips[0]
    keep = trips[1:1 + n_trips]
    tid = {r[h.index("trip_id")] for r in keep}
    rid = {r[h.index("route_id")] for r in keep}
    sid = {r[h.index("service_id")] for r in keep}
    st = t["stop_times.txt"]
    sth = st[0]
    st_keep = [r for r in st[1:] if r[sth.index("trip_id")] in tid]
    stops = {r[sth.index("stop_id")] for r in st_keep}
    def filt(f, col, ids):
        rs = t[f]
        if not rs:
            return []
        if col not in rs[0]:
            return rs[:3]
        i = rs[0].index(col)
        return [rs[0]] + [r for r in rs[1:] if i < len(r) and r[i] in ids][:40]
    parts = [text(t["agency.txt"][:2]), text(filt("stops.txt", "stop_id", stops)),
             text(filt("routes.txt", "route_id", rid)), text([h] + keep), text([sth] + st_keep[:200]),
             text(filt("calendar.txt", "service_id", sid)), text(filt("calendar_dates.txt", "service_id", sid)),
             text(filt("frequencies.txt", "trip_id", tid)), text(filt("transfers.txt", "from_stop_id", stops))]
    return SEP.join(parts)


HAND = SEP.join([
    "agency_name,agency_url,agency_timezone\nA,http://a.example,America/Los_Angeles\n",
    "stop_id,stop_name,stop_lat,stop_lon,parent_station,location_type\nS1,One,37.80,-122.29,P,0\n"
    "S2,Two,37.81,-122.30,,0\nP,Parent,37.80,-122.29,,1\n",
    "route_id,route_short_name,route_type,agency_id\nR,1,3,\n",
    "route_id,service_id,trip_id\nR,D,T\nR,D,U\n",
    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT,08:00:00,08:00:00,S1,1\n"
    "T,,,S2,2\nT,25:10:00,25:10:00,S1,3\nU,8:00:00,08:01:00,S2,1\nU,08:05:00,08:05:00,S1,2\n",
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "D,1,1,1,1,1,0,0,20240101,20241231\n",
    "service_id,date,exception_type\nD,20240106,1\nD,20240102,2\nE,20240103,1\n",
    "trip_id,start_time,end_time,headway_secs,exact_times\nU,07:00:00,09:00:00,300,1\n",
    "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nS1,S2,2,120\nS2,S2,1,\n"])
put("gtfs_csv", "hand", HAND)
put("gtfs_csv", "hand_crlf_bom", "\ufeff" + HAND.replace("\n", "\r\n").replace("\r\n=====\r\n", SEP))
for name, path in [("terrehaute", "terre-haute/terre-haute-gtfs.zip"), ("bart", "bart/bart_gtfs.zip"),
                   ("trensurb", "poa/poa_trensurb.zip"), ("helsinki", "helsinki/helsinki_gtfs.zip")]:
    p = f"{data}/{path}"
    if os.path.exists(p):
        for k in (1, 3):
            put("gtfs_csv", f"{name}_{k}", gtfs_subset(p, k))

# network patches (fuzz_net_sections): none (the base network itself), one
# of each op
put("net_sections", "none", b"")
for op in range(4):
    for sec in (1, 2, 3, 5, 12, 20):
        put("net_sections", f"op{op}_s{sec}", bytes([op | 8, sec, 7, 0, 0, 0, 4, 255, 255, 0, 1]))

# points, layers (byte 0: bit 0 GeoJSON, bit 1 centroid rule), centres
def head(path, n):
    with open(path, "rb") as f:
        return b"".join(f.readline() for _ in range(n))
pts = [("hexgrid", "poa/poa_hexgrid.csv"), ("poi", "poa/poa_points_of_interest.csv"),
       ("metro", "changzhutan/changsha_metro_stations.csv"), ("czt_pop", "changzhutan/czt_city_population_2020.csv")]
for name, path in pts:
    p = f"{data}/{path}"
    if os.path.exists(p):
        put("points", name, head(p, 12))
        put("layers", name, b"\x00" + head(p, 12))
put("layers", "blank_text", b"\x00lon,lat,jobs,kind,\n1,2,,shop,3\n1.5,2.5,4,,\n")
put("centres", "hand", "id,name,lon,lat\ncs,长沙,112.9,28.2\nzz,,113.1,27.8\n\"x,y\",\"q\"\"\",0,0\n")
put("centres", "short", "id,lon,lat\na,1,2\n")
geo_poly = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A","pop":100,'
            '"id":3},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],'
            '[[0.2,0.2],[0.4,0.2],[0.4,0.4],[0.2,0.2]]]}},{"type":"Feature","properties":{"NAME":"B","pop":null},'
            '"geometry":{"type":"MultiPolygon","coordinates":[[[[2,2],[3,2],[3,3],[2,2]]]]}},'
            '{"type":"Feature","properties":{"pop":5},"geometry":{"type":"Point","coordinates":[0.5,0.5]}},'
            '{"type":"Feature","properties":{"pop":6},"geometry":{"type":"MultiPoint","coordinates":[[0.5,0.5],[1,1]]}},'
            '{"type":"Feature","properties":{},"geometry":null}]}')
bowtie = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"district":"bow","jobs":1},'
          '"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}')
crs = ('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},'
       '"features":[{"type":"Feature","properties":{"w":2},"geometry":{"type":"Point","coordinates":[100000,200000]}}]}')
for name, g in [("poly", geo_poly), ("bowtie", bowtie), ("crs", crs)]:
    put("layers", f"geo_{name}", b"\x01" + g.encode())
    put("layers", f"geo_{name}_c", b"\x03" + g.encode())
    put("districts", name, g)
p = f"{data}/changzhutan/changsha_metro_wgs84.geojson"
if os.path.exists(p):
    put("districts", "metro_lines", open(p, "rb").read()[:3000])

# OSM: small extracts, XML and PBF (osmium), the first lines of the XML
if os.path.exists(f"{data}/monaco/monaco.osm.pbf"):
    with tempfile.TemporaryDirectory() as t:
        for i, bbox in enumerate(["7.4200,43.7300,7.4230,43.7320", "7.4250,43.7370,7.4270,43.7385"]):
            for fmt, h in [("pbf", "osm_pbf"), ("osm", "osm_xml")]:
                o = f"{t}/x{i}.{fmt}"
                if subprocess.run(["osmium", "extract", "-b", bbox, "-s", "complete_ways", "-O", "-o", o,
                                   f"{data}/monaco/monaco.osm.pbf"], capture_output=True).returncode == 0:
                    b = open(o, "rb").read()
                    if len(b) < 60000:
                        put(h, f"monaco{i}", b)
