// app.js: the halfhour planning map.  One page over `halfhour serve`'s JSON
// API (docs/http.md): the network drawn from GET /network as the base layer,
// isochrones from POST /isochrone, access and 15-minute grids from POST
// /access (PNG + X-Bbox/X-Range headers), the report from POST /report, a
// drawn scenario's gains and losses from POST /scenario.
// Everything it loads comes from the server that served it; a raster tile
// layer is added only when the user names one (?tiles=URL or Settings).
// The URL hash keeps the view (mode, origin, cutoffs, layer, transit fields,
// map position) so a planner can send it to a colleague.
// window.hh exposes the state for the browser test and the console.
"use strict";
(function () {
    const OSM = "© OpenStreetMap contributors";
    const $ = (id) => document.getElementById(id);

    const state = {
        mode: "walk",
        cutoffs: [10, 20, 30],
        origin: null,            // [lon, lat] as clicked
        depart: "",
        window: 60,
        percentile: 50,
        view: "iso",             // iso | access | fifteen
        layer: "",
        amin: 30,
        service: "",             // the 15-minute layer's column: "" = the count of services
        tool: "origin",
        tiles: "",
        centres: [],             // {name, lon, lat, marker}
    };
    const hh = { state, map: null, info: null, ready: false, busy: 0, netCount: 0, netTruncated: false,
                 lastIso: null, lastAccess: null, lastReport: null, errors: [] };
    window.hh = hh;

    // ---- API ---------------------------------------------------------------
    class ApiError extends Error {
        constructor(msg, status) { super(msg); this.status = status; }
    }
    function setBusy(d) {
        hh.busy += d;
        document.documentElement.dataset.busy = String(hh.busy);
    }
    // fetch with the error contract: a non-2xx answer (or no answer) shows its
    // JSON "error" in the banner and rejects; an aborted request rejects quietly.
    async function api(method, path, body, signal) {
        const init = { method, headers: {}, signal };
        if (body !== undefined) {
            init.headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(body);
        }
        const what = method + " " + path.split("?")[0];
        setBusy(+1);
        try {
            let res;
            try {
                res = await fetch(path, init);
            } catch (e) {
                if (e.name === "AbortError") throw e;
                showError(what + ": no answer from the server (" + e.message + ")");
                throw new ApiError(e.message, 0);
            }
            if (!res.ok) {
                let msg = "HTTP " + res.status + " " + res.statusText;
                try {
                    const j = await res.json();
                    if (j && typeof j.error === "string") msg = j.error;
                } catch (e) { /* not JSON: keep the status line */ }
                showError(what + ": " + msg + " (HTTP " + res.status + ")");
                throw new ApiError(msg, res.status);
            }
            clearError(what);
            return res;
        } finally {
            setBusy(-1);
        }
    }
    function quiet(e) {          // for promise chains: the banner already told
        if (!(e instanceof ApiError) && e.name !== "AbortError") showError(String(e));
    }

    let errorWhat = null;
    function showError(text) {
        hh.errors.push(text);
        errorWhat = text.split(":")[0];
        $("error-text").textContent = text;
        $("error").hidden = false;
    }
    function clearError(what) {  // a later success of the same request clears its error
        if (errorWhat === what) { $("error").hidden = true; errorWhat = null; }
    }
    function status(text) { $("status").textContent = text; }

    // ---- numbers ------------------------------------------------------------
    const fmtInt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
    function fmtArea(km2) { return km2 < 10 ? km2.toFixed(2) : km2.toFixed(1); }
    function fmtValue(v) {
        const a = Math.abs(v);
        if (a >= 100 || v === Math.round(v)) return fmtInt.format(v);
        return a >= 1 ? v.toFixed(1) : v.toPrecision(2);
    }
    function parseCutoffs(text) {
        const parts = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
        const out = [];
        for (const p of parts) {
            const v = Number(p);
            if (!Number.isFinite(v) || v <= 0) return null;
            out.push(v);
        }
        return out.length ? out : null;
    }

    // ---- colours ------------------------------------------------------------
    // isochrone bands: short = green, long = red (ColorBrewer RdYlGn, reversed)
    const BANDS = ["#1a9850", "#66bd63", "#a6d96a", "#fdae61", "#f46d43", "#d73027", "#a50026"];
    function bandColour(i, n) {
        if (n <= 1) return BANDS[0];
        return BANDS[Math.round(i * (BANDS.length - 1) / (n - 1))];
    }
    // the access image's ramp, low to high: the server's (src/io/png.c,
    // viridis at nine stops from X-Range's min to its max)
    const RAMP = ["#440154", "#472c7a", "#3b518b", "#2c718e", "#21908d", "#27ad81", "#5cc863",
                          "#aadc32", "#fde725"];

    const ROAD = {
        motorway: ["#e66e37", 4], trunk: ["#e68e37", 3.5], primary: ["#d9a33a", 3],
        secondary: ["#c9b04a", 2.5], tertiary: ["#9a9a9a", 2], residential: ["#a8a8a8", 1.4],
        unclassified: ["#a8a8a8", 1.4], living_street: ["#b5b5b5", 1.2], service: ["#c2c2c2", 1],
        pedestrian: ["#9bb08f", 1], footway: ["#9bb08f", 0.8], path: ["#9bb08f", 0.8],
        steps: ["#9bb08f", 0.8], cycleway: ["#6f8fc9", 1], track: ["#b59b7a", 0.8],
    };
    function roadStyle(f) {
        const c = ((f && f.properties && f.properties.class) || "").replace(/_link$/, "");
        const s = ROAD[c] || ["#b0b0b0", 1];
        return { color: s[0], weight: s[1], opacity: 0.9 };
    }

    // ---- the map --------------------------------------------------------------
    const map = L.map("map", { zoomControl: true, attributionControl: true, minZoom: 3 });
    hh.map = map;
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.attributionControl.addAttribution(OSM);
    map.createPane("access").style.zIndex = 350;
    map.createPane("iso").style.zIndex = 420;
    map.createPane("centres").style.zIndex = 450;
    const netLayer = L.geoJSON(null, { style: roadStyle, interactive: false, renderer: L.canvas({ padding: 0.3 }) })
        .addTo(map);
    const isoLayer = L.layerGroup().addTo(map);
    const isoRenderer = L.svg({ pane: "iso" });
    let tileLayer = null, accessOverlay = null, originMarker = null, snappedMarker = null;

    function legendControl(id) {
        const C = L.Control.extend({
            onAdd() {
                const d = L.DomUtil.create("div", "hh-legend");
                d.id = id;
                d.hidden = true;
                L.DomEvent.disableClickPropagation(d);
                return d;
            },
        });
        new C({ position: "bottomright" }).addTo(map);
        return $(id);
    }
    const accessLegend = legendControl("access-legend");
    const isoLegend = legendControl("iso-legend");

    function netBbox() {
        const b = hh.info && hh.info.bbox;
        return Array.isArray(b) && b.length === 4 ? b : null;
    }
    // the visible part of the network's bounding box, or null when none is visible
    function viewBbox() {
        const v = map.getBounds();
        let w = v.getWest(), s = v.getSouth(), e = v.getEast(), n = v.getNorth();
        const nb = netBbox();
        if (nb) {
            w = Math.max(w, nb[0]); s = Math.max(s, nb[1]); e = Math.min(e, nb[2]); n = Math.min(n, nb[3]);
        }
        if (!(w < e && s < n)) return null;
        return [w, s, e, n].map((x) => Number(x.toFixed(6)));
    }

    // ---- base layer: the network itself ---------------------------------------
    let netAbort = null;
    async function loadNetwork() {
        const b = viewBbox();
        if (netAbort) netAbort.abort();
        if (!b) { netLayer.clearLayers(); hh.netCount = 0; return; }
        netAbort = new AbortController();
        const q = "/network?bbox=" + b.join(",") + "&zoom=" + map.getZoom();
        try {
            const res = await api("GET", q, undefined, netAbort.signal);
            const gj = await res.json();
            netLayer.clearLayers();
            netLayer.addData(gj);
            hh.netCount = (gj.features || []).length;
            hh.netTruncated = !!gj.truncated;
            status(gj.truncated ? "Streets: a selection at this zoom (zoom in for all)." : "");
        } catch (e) { quiet(e); }
    }

    function setTiles(url) {
        state.tiles = url || "";
        if (tileLayer) { map.removeLayer(tileLayer); tileLayer = null; }
        if (state.tiles) {
            tileLayer = L.tileLayer(state.tiles, { attribution: OSM, maxZoom: 19, zIndex: 1 }).addTo(map);
            tileLayer.bringToBack();
        }
        $("tiles").value = state.tiles;
    }

    // ---- isochrones ---------------------------------------------------------------
    function transitFields(body) {
        if (state.mode !== "transit") return body;
        if (state.depart) body.depart = state.depart;
        body.window = state.window;
        body.percentile = state.percentile;
        return body;
    }
    function hasLayer(name) {
        return !!(hh.info && (hh.info.layers || []).some((l) => l.name === name));
    }

    let isoAbort = null, isoSeq = 0;
    async function runIsochrone() {
        if (!state.origin) return;
        if (isoAbort) isoAbort.abort();
        isoAbort = new AbortController();
        const seq = ++isoSeq;
        const body = transitFields({
            locations: [{ lon: state.origin[0], lat: state.origin[1] }],
            mode: state.mode,
            contours: state.cutoffs.map((t) => ({ time: t })),
            polygons: true,
        });
        if (hasLayer("population")) body.layer = "population";
        status("Isochrones…");
        try {
            const res = await api("POST", "/isochrone", body, isoAbort.signal);
            const gj = await res.json();
            if (seq !== isoSeq) return;
            drawIsochrones(gj);
            status("");
        } catch (e) {
            if (seq === isoSeq) { clearIsochrones(); status(""); }
            quiet(e);
        }
    }

    // GeoJSON (Multi)Polygon -> Leaflet's [[ring, hole...], ...] in lat/lon
    function polygonsOf(geom) {
        const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.type === "MultiPolygon" ? geom.coordinates : [];
        return polys.map((rings) => rings.map((ring) => ring.map((p) => [p[1], p[0]])));
    }
    function clearIsochrones() {
        isoLayer.clearLayers();
        isoLegend.hidden = true;
        hh.lastIso = null;
        if (snappedMarker) { map.removeLayer(snappedMarker); snappedMarker = null; }
    }
    function drawIsochrones(gj) {
        clearIsochrones();
        hh.lastIso = gj;
        const feats = (gj.features || []).slice().sort((a, b) => a.properties.contour - b.properties.contour);
        const colour = (i) => bandColour(i, feats.length);
        // Each band is drawn as the ring between its contour and the next
        // smaller one: one path holding the rings of both, which SVG's evenodd
        // fill rule leaves empty inside the smaller contour (the contours are
        // nested), so every colour on the map is exactly one legend swatch.
        feats.forEach((f, i) => {
            const c = colour(i);
            const rings = polygonsOf(f.geometry).concat(i > 0 ? polygonsOf(feats[i - 1].geometry) : []);
            // over an access grid the bands are outlines, so the grid's colours stay readable
            const over = state.view !== "iso";
            L.polygon(rings, { renderer: isoRenderer, pane: "iso", color: over ? "#000" : c, weight: over ? 2 : 1.2,
                               dashArray: over && i < feats.length - 1 ? "4 4" : null, fillColor: c,
                               fillOpacity: over ? 0 : 0.5, fillRule: "evenodd" })
                .bindTooltip("within " + f.properties.contour + " min: " + fmtArea(f.properties.area_km2) + " km²",
                             { sticky: true })
                .on("click", (ev) => { L.DomEvent.stopPropagation(ev); onMapClick(ev); })
                .addTo(isoLayer);
        });
        const sn = gj.origin && gj.origin.snapped;
        if (Array.isArray(sn)) {
            snappedMarker = L.circleMarker([sn[1], sn[0]], { radius: 4, color: "#000", weight: 1, fillColor: "#fff",
                fillOpacity: 1, pane: "iso", renderer: isoRenderer, interactive: false }).addTo(map);
        }
        // legend: smallest band first, as people read it
        const popName = feats.some((f) => f.properties.opportunities && "population" in f.properties.opportunities)
            ? "population" : null;
        let html = "<h2>" + esc(modeLabel(gj.features[0] ? gj.features[0].properties.mode : state.mode)) +
            " isochrones</h2><table><thead><tr><th></th><th>min</th><th>km²</th>" +
            (popName ? "<th>population</th>" : "") + "</tr></thead><tbody>";
        feats.forEach((f, i) => {
            const p = f.properties;
            html += '<tr class="band" data-minutes="' + p.contour + '" data-area-km2="' + p.area_km2 + '">' +
                '<td class="swatch"><span style="' + (state.view !== "iso"
                    ? "background:none;border:2px " + (i < feats.length - 1 ? "dashed" : "solid") + " #000"
                    : "background:" + colour(i) + ";opacity:0.55") + '"></span></td>' +
                '<td class="minutes">' + p.contour + '</td><td class="area">' + fmtArea(p.area_km2) + "</td>" +
                (popName ? '<td class="population">' + fmtInt.format(p.opportunities.population) + "</td>" : "") +
                "</tr>";
        });
        html += "</tbody></table>";
        isoLegend.innerHTML = html;
        isoLegend.hidden = feats.length === 0;
    }

    function setOrigin(lon, lat, run) {
        state.origin = [Number(lon.toFixed(6)), Number(lat.toFixed(6))];
        const ll = [state.origin[1], state.origin[0]];
        if (!originMarker) {
            originMarker = L.marker(ll, { draggable: true, title: "origin (drag to move)", autoPan: true }).addTo(map);
            originMarker.on("dragend", () => {
                const p = originMarker.getLatLng();
                setOrigin(p.lng, p.lat, true);
            });
        } else {
            originMarker.setLatLng(ll);
        }
        writeHash();
        if (run) runIsochrone();
    }

    // ---- access and the 15-minute layer ---------------------------------------------
    const NICE_CELLS = [50, 100, 200, 250, 500, 1000, 2000, 5000, 10000];
    // a cell size giving some `across` (default 80) cells across the view, within the server's grid limit
    function chooseCell(b, across) {
        const midLat = (b[1] + b[3]) / 2;
        const wm = (b[2] - b[0]) * 111320 * Math.cos(midLat * Math.PI / 180);
        const hm = (b[3] - b[1]) * 110574;
        const lim = hh.info && hh.info.limits ? Number(hh.info.limits.grid_cells) : NaN;
        for (const c of NICE_CELLS) {
            if (c < Math.max(wm, hm) / (across || 80)) continue;
            if (Number.isFinite(lim) && lim > 0 && Math.ceil(wm / c) * Math.ceil(hm / c) > lim) continue;
            return c;
        }
        return NICE_CELLS[NICE_CELLS.length - 1];
    }

    let accessAbort = null, accessSeq = 0;
    function clearAccess() {
        if (accessAbort) accessAbort.abort();
        accessSeq++;
        clearAccessImage();
        accessLegend.hidden = true;
    }
    async function runAccess() {
        if (state.view === "iso") { clearAccess(); return; }
        const b = viewBbox();
        if (!b) { clearAccess(); status("The network is outside the view."); return; }
        if (accessAbort) accessAbort.abort();
        accessAbort = new AbortController();
        const seq = ++accessSeq;
        const fifteen = state.view === "fifteen";
        const body = { bbox: b, cell: chooseCell(b), format: "png" };
        let title;
        if (fifteen) {
            Object.assign(body, { mode: "walk", preset: "15min", minutes: [15],
                                  column: (state.service || "services") + "_15" });
            title = state.service ? "15-minute city: " + state.service + " within a 15-minute walk"
                                  : "15-minute city: daily services within a 15-minute walk";
        } else {
            Object.assign(transitFields(body), { mode: state.mode, layer: state.layer, minutes: [state.amin] });
            title = state.layer + " within " + state.amin + " min, " + modeLabel(state.mode);
        }
        status("Access grid…");
        try {
            const res = await api("POST", "/access", body, accessAbort.signal);
            const xb = (res.headers.get("X-Bbox") || "").split(",").map(Number);
            const xr = (res.headers.get("X-Range") || "").split(",").map(Number);
            const column = headerText(res.headers.get("X-Column") || "");
            const blob = await res.blob();
            if (seq !== accessSeq) return;
            if (xb.length !== 4 || xb.some((x) => !Number.isFinite(x))) {
                showError("POST /access: the answer has no usable X-Bbox header");
                return;
            }
            clearAccessImage();
            const url = URL.createObjectURL(blob);
            accessOverlay = L.imageOverlay(url, [[xb[1], xb[0]], [xb[3], xb[2]]], {
                pane: "access", opacity: 0.7, className: "hh-access-image", interactive: false,
            }).addTo(map);
            hh.lastAccess = { request: body, bbox: xb, range: xr, url, title, column };
            drawRamp(title, xr, RAMP, fifteen, body.cell, column);
            status("");
        } catch (e) {
            // a failed grid leaves no older grid on the map under the new title
            if (seq === accessSeq && e.name !== "AbortError") { clearAccessImage(); accessLegend.hidden = true; status(""); }
            quiet(e);
        }
    }
    // fetch reads header bytes as Latin-1; the server sends a layer's name (人口_10)
    // as UTF-8 bytes, so decode them again (ASCII passes through unchanged)
    function headerText(h) {
        if (!/[\u0080-\u00ff]/.test(h) || /[^\u0000-\u00ff]/.test(h)) return h;
        try {
            return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(h, (c) => c.charCodeAt(0)));
        } catch (e) {
            return h;
        }
    }
    function clearAccessImage() {
        if (accessOverlay) { map.removeLayer(accessOverlay); accessOverlay = null; }
        if (hh.lastAccess && hh.lastAccess.url) URL.revokeObjectURL(hh.lastAccess.url);
        hh.lastAccess = null;
    }
    function drawRamp(title, range, ramp, fifteen, cell, column) {
        const ok = range.length === 2 && range.every(Number.isFinite);
        accessLegend.innerHTML = "<h2>" + esc(title) + "</h2>" +
            '<div class="hh-ramp" data-stops="' + ramp.join(",") + '" style="background:linear-gradient(to right,' +
            ramp.join(",") + ')"></div>' +
            '<div class="hh-ramp-labels"><span class="min" data-value="' + (ok ? range[0] : "") + '">' +
            (ok ? fmtValue(range[0]) : "?") + '</span><span class="max" data-value="' + (ok ? range[1] : "") + '">' +
            (ok ? fmtValue(range[1]) : "?") + "</span></div>" +
            '<p class="hint">per grid cell of ' + esc(String(cell)) + ' m' + (fifteen ? "" : ", " + esc(column)) +
            '; transparent: no street near the cell</p>';
        accessLegend.hidden = false;
    }

    // ---- scenarios: draw a change, see what it gains and loses ----------------------
    // The drawn shape becomes a one-Feature change file (docs/scenarios.md:
    // add-line, add-street, modify-street) sent to POST /scenario with the
    // access grid of the view; the answer's <column>_diff per cell is drawn
    // blue where the scenario reaches more, red where it reaches less.
    const GAIN = ["#d1e5f0", "#92c5de", "#4393c3", "#2166ac"], LOSS = ["#fddbc7", "#f4a582", "#d6604d", "#b2182b"];
    const scenarioLegend = legendControl("scenario-legend");
    map.createPane("scenario").style.zIndex = 360;
    const scenarioShape = L.layerGroup().addTo(map);
    let scenarioCells = null, scenarioAbort = null, scenarioSeq = 0;
    hh.lastScenario = null;
    state.scenario = { type: "add-line", points: [] };
    function scenarioChange() {
        const sc = state.scenario, pts = sc.points.map((p) => [p[0], p[1]]);
        let geometry, properties;
        if (sc.type === "add-line") {
            geometry = { type: "LineString", coordinates: pts };
            properties = { type: "add-line", name: "Drawn line", mode: "bus",
                           headway_min: Number($("scenario-headway").value) || 10,
                           speed_kmh: Number($("scenario-speed").value) || 30,
                           start: "05:00", end: "24:00", bidirectional: true };
        } else if (sc.type === "add-street") {
            geometry = { type: "LineString", coordinates: pts };
            properties = { type: "add-street", name: "Drawn street", highway: $("scenario-highway").value,
                           tolerance_m: 300 };
        } else {
            geometry = { type: "Polygon", coordinates: [pts.concat([pts[0]])] };
            properties = { type: "modify-street", name: "Drawn closure", close: [$("scenario-close-mode").value] };
        }
        return { type: "FeatureCollection", features: [{ type: "Feature", geometry, properties }] };
    }
    function scenarioMode() {
        const sc = state.scenario;
        if (sc.type === "add-line") return "transit";
        if (sc.type === "modify-street") return $("scenario-close-mode").value;
        return state.mode;
    }
    function drawScenarioShape() {
        scenarioShape.clearLayers();
        const sc = state.scenario, ll = sc.points.map((p) => [p[1], p[0]]);
        if (ll.length > 1) {
            const opt = { pane: "centres", color: "#5e2ca5", weight: 4, interactive: false };
            (sc.type === "modify-street" ? L.polygon(ll, Object.assign({ fillOpacity: 0.15 }, opt)) : L.polyline(ll, opt))
                .addTo(scenarioShape);
        }
        for (const p of ll)
            L.circleMarker(p, { pane: "centres", radius: 5, color: "#5e2ca5", weight: 2, fillColor: "#fff",
                                fillOpacity: 1, interactive: false }).addTo(scenarioShape);
        const need = sc.type === "modify-street" ? 3 : 2;
        $("scenario-points").textContent = sc.points.length
            ? sc.points.length + (sc.type === "add-line" ? " stops" : " points") +
              (sc.points.length < need ? " (at least " + need + ")" : "")
            : "No points yet.";
        $("scenario-run").disabled = sc.points.length < need;
    }
    function addScenarioPoint(lon, lat) {
        state.scenario.points.push([Number(lon.toFixed(6)), Number(lat.toFixed(6))]);
        drawScenarioShape();
    }
    function clearScenario() {
        if (scenarioAbort) scenarioAbort.abort();
        scenarioSeq++;
        state.scenario.points = [];
        drawScenarioShape();
        if (scenarioCells) { map.removeLayer(scenarioCells); scenarioCells = null; }
        scenarioLegend.hidden = true;
        hh.lastScenario = null;
    }
    async function runScenario() {
        const b = viewBbox();
        if (!b) { status("The network is outside the view."); return; }
        const mode = scenarioMode();
        if (mode === "transit" && !((hh.info && hh.info.modes) || []).includes("transit")) {
            showError("Scenario: a new line needs a network with public transport");
            return;
        }
        if (scenarioAbort) scenarioAbort.abort();
        scenarioAbort = new AbortController();
        const seq = ++scenarioSeq;
        // two runs (base and scenario) over a coarser grid than the access layer's
        const body = { change: scenarioChange(), analysis: "access", bbox: b, cell: chooseCell(b, 32), format: "geojson",
                       mode, layer: state.layer, minutes: [state.amin] };
        if (mode === "transit") {
            if (state.depart) body.depart = state.depart;
            body.window = state.window;
            body.percentile = state.percentile;
        }
        status("Scenario…");
        try {
            const res = await api("POST", "/scenario", body, scenarioAbort.signal);
            const gj = await res.json();
            if (seq !== scenarioSeq) return;
            drawScenario(gj, body);
            status("");
        } catch (e) {
            if (seq === scenarioSeq) status("");
            quiet(e);
        }
    }
    function drawScenario(gj, body) {
        if (scenarioCells) { map.removeLayer(scenarioCells); scenarioCells = null; }
        const feats = gj.features || [];
        const keys = feats.length ? Object.keys(feats[0].properties || {}) : [];
        const col = keys.find((k) => /_diff$/.test(k));
        const base = col ? col.replace(/_diff$/, "_base") : null, scen = col ? col.replace(/_diff$/, "_scenario") : null;
        let gained = 0, lost = 0, maxGain = 0, maxLoss = 0, sumBase = 0, sumScen = 0;
        for (const f of feats) {
            const d = f.properties[col];
            if (typeof d !== "number" || d === 0) continue;
            if (d > 0) { gained++; maxGain = Math.max(maxGain, d); } else { lost++; maxLoss = Math.max(maxLoss, -d); }
        }
        for (const f of feats) {
            if (typeof f.properties[base] === "number") sumBase += f.properties[base];
            if (typeof f.properties[scen] === "number") sumScen += f.properties[scen];
        }
        const shade = (d) => {
            const ramp = d > 0 ? GAIN : LOSS, m = d > 0 ? maxGain : maxLoss;
            return ramp[Math.min(ramp.length - 1, Math.floor(ramp.length * Math.abs(d) / m))];
        };
        scenarioCells = L.geoJSON(gj, {
            pane: "scenario",
            filter: (f) => typeof f.properties[col] === "number" && f.properties[col] !== 0,
            style: (f) => ({ stroke: false, fillColor: shade(f.properties[col]), fillOpacity: 0.75 }),
            onEachFeature: (f, l) => l.bindTooltip(fmtValue(f.properties[base]) + " → " + fmtValue(f.properties[scen]) +
                " (" + (f.properties[col] > 0 ? "+" : "") + fmtValue(f.properties[col]) + ")", { sticky: true }),
        }).addTo(map);
        hh.lastScenario = { request: body, column: col, cells: feats.length, gained, lost, maxGain, maxLoss };
        scenarioLegend.innerHTML = "<h2>Scenario: " + esc(state.layer + " within " + state.amin + " min, " +
            modeLabel(body.mode)) + "</h2>" +
            '<div class="hh-diverging">' + LOSS.slice().reverse().concat(GAIN).map((c) =>
                '<span style="background:' + c + '"></span>').join("") + "</div>" +
            '<div class="hh-ramp-labels"><span>' + (maxLoss ? "−" + fmtValue(maxLoss) : "0") + "</span><span>" +
            (maxGain ? "+" + fmtValue(maxGain) : "0") +
            "</span></div>" +
            '<p class="hint"><span class="gain" data-gained="' + gained + '">' + gained + " cells gain</span>, " +
            '<span class="loss" data-lost="' + lost + '">' + lost + " lose</span> of " + feats.length +
            " (cells of " + esc(String(body.cell)) + " m, " + esc(col || "?") + ")</p>";
        scenarioLegend.hidden = false;
    }

    // ---- report centres and the report ----------------------------------------------
    function addCentre(lon, lat, name) {
        const c = { name: name || "Centre " + (state.centres.length + 1),
                    lon: Number(lon.toFixed(6)), lat: Number(lat.toFixed(6)) };
        c.marker = L.circleMarker([c.lat, c.lon], { radius: 7, color: "#222", weight: 2, fillColor: "#ffd400",
            fillOpacity: 1, pane: "centres" }).bindTooltip("", { permanent: true, direction: "right", className: "hh-centre-label" })
            .addTo(map);
        state.centres.push(c);
        renderCentres();
    }
    function renderCentres() {
        const ol = $("centres");
        ol.textContent = "";
        state.centres.forEach((c, i) => {
            c.marker.setTooltipContent(esc(c.name));
            const li = document.createElement("li");
            const inp = document.createElement("input");
            inp.type = "text"; inp.value = c.name; inp.className = "centre-name";
            inp.addEventListener("input", () => { c.name = inp.value; c.marker.setTooltipContent(esc(c.name)); });
            const rm = document.createElement("button");
            rm.type = "button"; rm.textContent = "×"; rm.title = "remove";
            rm.addEventListener("click", () => {
                map.removeLayer(c.marker);
                state.centres.splice(i, 1);
                renderCentres();
            });
            li.append(inp, rm);
            ol.append(li);
        });
        $("report-run").disabled = state.centres.length < 2;
    }
    async function runReport() {
        const modes = [...document.querySelectorAll("#report-modes input:checked")].map((i) => i.value);
        const body = transitFields({
            centres: state.centres.map((c, i) => ({ id: "c" + (i + 1), name: c.name, lon: c.lon, lat: c.lat })),
            modes,
            minutes: Number($("report-minutes").value),
        });
        if (modes.includes("transit") && state.mode !== "transit") {   // the report's transit needs the fields too
            if (state.depart) body.depart = state.depart;
            body.window = state.window;
            body.percentile = state.percentile;
        }
        status("Report…");
        try {
            const res = await api("POST", "/report", body);
            const j = await res.json();
            hh.lastReport = j;
            renderReport(j);
            status("");
        } catch (e) { quiet(e); status(""); }
    }
    // The report's JSON (docs/http.md: centres, and per mode the pairs, the
    // circles and their union) as three tables; any other field is rendered
    // generically below them, so new report fields show up without a change here.
    function renderReport(j) {
        const out = $("report-tables");
        out.textContent = "";
        const h = document.createElement("h2");
        h.textContent = "Report: " + (j.minutes !== undefined ? j.minutes + " minutes" : "");
        out.append(h);
        const name = {};
        for (const c of j.centres || []) name[c.id] = c.name;
        const nm = (id) => (id in name ? name[id] : id);
        const total = Number(j.total);
        const share = (x) => (x === null || x === undefined || !(total > 0) ? null : Number((100 * x / total).toFixed(1)));
        const layer = j.layer || "population";
        const modes = Array.isArray(j.modes) ? j.modes : [];
        const times = [], circles = [], unions = [];
        for (const m of modes) {
            const pcts = Array.isArray(m.percentiles) ? m.percentiles : null;
            for (const p of m.pairs || []) {
                const row = { mode: m.mode, from: nm(p.from), to: nm(p.to) };
                const mins = Array.isArray(p.minutes) ? p.minutes : [p.minutes];
                mins.forEach((v, k) => {
                    row[pcts && pcts.length > 1 ? "minutes p" + pcts[k] : "minutes"] =
                        v === null ? null : Number(v.toFixed(1));
                });
                row["within " + j.minutes] = p.within ? "yes" : "no";
                times.push(row);
            }
            for (const c of m.circles || []) {
                circles.push({ mode: m.mode, centre: nm(c.centre), area_km2: Number(c.area_km2.toFixed(2)),
                               [layer + " inside"]: c.inside === null ? null : Math.round(c.inside),
                               "share %": share(c.inside) });
            }
            if (m.union) {
                unions.push({ mode: m.mode, area_km2: Number(m.union.area_km2.toFixed(2)),
                              [layer + " inside"]: m.union.inside === null ? null : Math.round(m.union.inside),
                              "share %": share(m.union.inside) });
            }
        }
        if (times.length) table(times, "Travel times between the centres", out);
        if (circles.length) table(circles, "The " + j.minutes + "-minute circle of each centre", out);
        if (unions.length) table(unions, "All circles together (their union)", out);
        const rest = {};
        for (const k of Object.keys(j)) if (!["centres", "modes", "minutes", "total", "layer", "attribution"].includes(k)) rest[k] = j[k];
        if (!modes.length) walk(j, "", out);
        else walk(rest, "", out);
        const note = document.createElement("p");
        note.className = "hint";
        note.textContent = (total > 0 ? layer + " in the network: " + fmtInt.format(total) + ". " : "") +
            (j.attribution || OSM);
        out.append(note);
        $("report-out").hidden = false;
    }
    function walk(v, key, out) {
        if (v && v.type === "FeatureCollection" && Array.isArray(v.features)) {
            table(v.features.map((f) => f.properties || {}), key, out);
        } else if (Array.isArray(v)) {
            if (v.length && v.every((r) => r && typeof r === "object" && !Array.isArray(r))) table(v, key, out);
            else scalar(key, v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", "), out);
        } else if (v && typeof v === "object") {
            for (const k of Object.keys(v)) walk(v[k], key ? key + "." + k : k, out);
        } else {
            scalar(key, v, out);
        }
    }
    function scalar(key, v, out) {
        const p = document.createElement("p");
        const b = document.createElement("b");
        b.textContent = key + ": ";
        p.append(b, document.createTextNode(v === null ? "—" : String(v)));
        out.append(p);
    }
    function table(rows, key, out) {
        const t = document.createElement("table");
        t.dataset.key = key;
        const cap = t.createCaption();
        cap.textContent = key;
        const cols = [];
        for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
        const tr = t.createTHead().insertRow();
        for (const c of cols) { const th = document.createElement("th"); th.textContent = c; tr.append(th); }
        const tb = t.createTBody();
        for (const r of rows) {
            const row = tb.insertRow();
            for (const c of cols) {
                const td = row.insertCell();
                const x = r[c];
                if (typeof x === "number") { td.className = "num"; td.textContent = fmtCell(x); }
                else if (x === null || x === undefined) td.textContent = "—";
                else if (typeof x === "object") td.textContent = JSON.stringify(x);
                else td.textContent = String(x);
            }
        }
        out.append(t);
    }
    function fmtCell(x) { return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))); }

    // ---- URL hash: the view a planner can send ------------------------------------------
    let lastHash = "", hashLive = false;   // the hash is not written before it has been read
    function writeHash() {
        if (!hashLive) return;
        const c = map.getCenter();
        const parts = ["mode=" + state.mode, "cutoffs=" + state.cutoffs.join(",")];
        if (state.origin) parts.push("origin=" + state.origin.join(","));
        parts.push("view=" + state.view);
        if (state.view === "access") parts.push("layer=" + encodeURIComponent(state.layer), "amin=" + state.amin);
        if (state.view === "fifteen" && state.service) parts.push("service=" + encodeURIComponent(state.service));
        if (state.mode === "transit") {
            if (state.depart) parts.push("depart=" + state.depart);
            parts.push("window=" + state.window, "percentile=" + state.percentile);
        }
        if (state.tiles) parts.push("tiles=" + encodeURIComponent(state.tiles));
        parts.push("map=" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5));
        lastHash = "#" + parts.join("&");
        if (location.hash !== lastHash) history.replaceState(null, "", lastHash);
    }
    // applies the hash to the state; returns the map position it names, if any
    function readHash(hash) {
        const p = new URLSearchParams(hash.replace(/^#/, ""));
        const modes = (hh.info && hh.info.modes) || ["walk", "bike", "car"];
        if (p.has("mode") && modes.includes(p.get("mode"))) state.mode = p.get("mode");
        if (p.has("cutoffs")) {
            const c = parseCutoffs(p.get("cutoffs"));
            if (c) state.cutoffs = c;
        }
        state.origin = null;
        if (p.has("origin")) {
            const o = p.get("origin").split(",").map(Number);
            if (o.length === 2 && o.every(Number.isFinite)) state.origin = o;
        }
        if (["iso", "access", "fifteen"].includes(p.get("view"))) state.view = p.get("view");
        if (p.has("layer")) state.layer = p.get("layer");
        if (p.has("amin") && Number(p.get("amin")) > 0) state.amin = Number(p.get("amin"));
        state.service = p.get("service") || "";
        if (p.has("depart")) state.depart = p.get("depart");
        if (p.has("window") && Number(p.get("window")) > 0) state.window = Number(p.get("window"));
        if (p.has("percentile") && Number(p.get("percentile")) > 0) state.percentile = Number(p.get("percentile"));
        if (p.has("tiles")) state.tiles = p.get("tiles");
        const m = (p.get("map") || "").split("/").map(Number);
        return m.length === 3 && m.every(Number.isFinite) ? { zoom: m[0], lat: m[1], lon: m[2] } : null;
    }

    // ---- controls -------------------------------------------------------------------
    function modeLabel(m) {
        return { walk: "walking", bike: "cycling", car: "driving", transit: "public transport" }[m] || m;
    }
    function esc(s) {
        return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
    }
    function fillSelect(sel, values, labels) {
        sel.textContent = "";
        values.forEach((v, i) => {
            const o = document.createElement("option");
            o.value = v; o.textContent = labels ? labels[i] : v;
            sel.append(o);
        });
    }
    function syncControls() {
        $("mode").value = state.mode;
        $("cutoffs").value = state.cutoffs.join(",");
        $("depart").value = state.depart;
        $("window").value = state.window;
        $("percentile").value = state.percentile;
        $("transit-fields").hidden = state.mode !== "transit";
        $("access-layer").value = state.layer;
        $("access-minutes").value = state.amin;
        $("access-fields").hidden = state.view === "fifteen";
        $("fifteen-fields").hidden = state.view !== "fifteen";
        $("fifteen-service").value = state.service;
        for (const r of document.querySelectorAll("input[name=view]")) r.checked = r.value === state.view;
        $("tiles").value = state.tiles;
    }
    function onMapClick(ev) {
        if (state.tool === "centre") addCentre(ev.latlng.lng, ev.latlng.lat);
        else if (state.tool === "scenario") addScenarioPoint(ev.latlng.lng, ev.latlng.lat);
        else setOrigin(ev.latlng.lng, ev.latlng.lat, true);
    }
    function wire() {
        map.on("click", onMapClick);
        let t = null;
        map.on("moveend", () => {
            writeHash();
            clearTimeout(t);
            t = setTimeout(() => { loadNetwork(); if (state.view !== "iso") runAccess(); }, 120);
        });
        $("mode").addEventListener("change", () => {
            state.mode = $("mode").value;
            syncControls(); writeHash(); runIsochrone();
            if (state.view === "access") runAccess();
        });
        $("cutoffs").addEventListener("change", () => {
            const c = parseCutoffs($("cutoffs").value);
            if (!c) { showError("Cutoffs: give minutes separated by commas, e.g. 10,20,30"); return; }
            state.cutoffs = c;
            writeHash(); runIsochrone();
        });
        for (const id of ["depart", "window", "percentile"]) {
            $(id).addEventListener("change", () => {
                state.depart = $("depart").value;
                state.window = Number($("window").value);
                state.percentile = Number($("percentile").value);
                writeHash(); runIsochrone();
                if (state.view === "access" && state.mode === "transit") runAccess();
            });
        }
        for (const r of document.querySelectorAll("input[name=tool]")) {
            r.addEventListener("change", () => {
                state.tool = r.value;
                // a line's stops are clicked one after the other: no zooming on the second click
                if (state.tool === "scenario") map.doubleClickZoom.disable();
                else map.doubleClickZoom.enable();
                $("hint").textContent = state.tool === "centre"
                    ? "Click the map to add a report centre; name it in the list."
                    : state.tool === "scenario"
                    ? "Click the map to draw the scenario's line, street or area; then Compare."
                    : "Click the map to place the origin; drag the marker to move it.";
            });
        }
        for (const r of document.querySelectorAll("input[name=view]")) {
            r.addEventListener("change", () => {
                state.view = r.value;
                syncControls(); writeHash(); runAccess();
                if (hh.lastIso) drawIsochrones(hh.lastIso);
            });
        }
        $("fifteen-service").addEventListener("change", () => {
            state.service = $("fifteen-service").value; writeHash();
            if (state.view === "fifteen") runAccess();
        });
        $("access-layer").addEventListener("change", () => {
            state.layer = $("access-layer").value; writeHash();
            if (state.view === "access") runAccess();
        });
        $("access-minutes").addEventListener("change", () => {
            state.amin = Number($("access-minutes").value) || 30; writeHash();
            if (state.view === "access") runAccess();
        });
        $("report-run").addEventListener("click", runReport);
        $("scenario-type").addEventListener("change", () => {
            state.scenario.type = $("scenario-type").value;
            $("scenario-line").hidden = state.scenario.type !== "add-line";
            $("scenario-street").hidden = state.scenario.type !== "add-street";
            $("scenario-close").hidden = state.scenario.type !== "modify-street";
            drawScenarioShape();
        });
        $("scenario-run").addEventListener("click", runScenario);
        $("scenario-clear").addEventListener("click", clearScenario);
        $("report-clear").addEventListener("click", () => {
            for (const c of state.centres) map.removeLayer(c.marker);
            state.centres = [];
            renderCentres();
        });
        $("report-close").addEventListener("click", () => { $("report-out").hidden = true; });
        $("error-close").addEventListener("click", () => { $("error").hidden = true; errorWhat = null; });
        $("tiles-apply").addEventListener("click", () => { setTiles($("tiles").value.trim()); writeHash(); });
        window.addEventListener("hashchange", () => {
            if (location.hash === lastHash) return;
            restore(location.hash);
        });
    }

    function restore(hash) {
        const pos = readHash(hash);
        syncControls();
        setTiles(state.tiles);
        if (pos) map.setView([pos.lat, pos.lon], pos.zoom, { animate: false });
        else if (state.origin) map.setView([state.origin[1], state.origin[0]], 13, { animate: false });
        if (state.origin) setOrigin(state.origin[0], state.origin[1], true);
        else {
            if (originMarker) { map.removeLayer(originMarker); originMarker = null; }
            clearIsochrones();
        }
        runAccess();
        hashLive = true;
        writeHash();
    }

    async function init() {
        const hash0 = location.hash;
        wire();
        try {
            hh.info = await (await api("GET", "/info")).json();
        } catch (e) {
            quiet(e);
            hh.info = null;
        }
        const info = hh.info || {};
        if (info.attribution && info.attribution !== OSM) map.attributionControl.addAttribution(esc(info.attribution));
        if (info.version) $("version").textContent = info.version;
        const modes = info.modes || ["walk", "bike", "car"];
        fillSelect($("mode"), modes, modes.map(modeLabel));
        const layers = (info.layers || []).map((l) => l.name);
        fillSelect($("access-layer"), layers);
        // the 15-minute layer's daily services, those the network has (docs: halfhour access --preset)
        const services = ["schools", "healthcare", "groceries", "pharmacies", "parks", "transit_stops"]
            .filter((n) => (info.layers || []).some((l) => l.name === n && l.total > 0));
        fillSelect($("fifteen-service"), [""].concat(services),
                   ["number of daily services reached"].concat(services.map((n) => n + " reached")));
        state.layer = layers.includes("jobs") ? "jobs" : layers.includes("population") ? "population" : layers[0] || "";
        state.mode = modes.includes("walk") ? "walk" : modes[0];
        if (info.transit && info.transit.default_depart) state.depart = info.transit.default_depart;
        const rm = $("report-modes");
        for (const m of modes) {
            const l = document.createElement("label");
            const i = document.createElement("input");
            i.type = "checkbox"; i.value = m;
            i.checked = m === "car" || m === "transit";
            l.append(i, document.createTextNode(" " + m));
            rm.append(l);
        }
        const qtiles = new URLSearchParams(location.search).get("tiles");
        if (qtiles) state.tiles = qtiles;
        const nb = netBbox();
        if (nb) map.fitBounds([[nb[1], nb[0]], [nb[3], nb[2]]]);
        else map.setView([0, 0], 3);
        restore(hash0);       // every setView fires moveend, which loads the network
        hh.ready = true;
        document.documentElement.dataset.ready = "1";
    }
    init();
})();
