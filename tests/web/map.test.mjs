// map.test.mjs: the planning map in a real browser (Debian's chromium,
// headless, driven by playwright-core) against a running `halfhour serve`.
//
//   node tests/web/map.test.mjs --url http://127.0.0.1:PORT/ --shots DIR [--cjk-url URL]
//
// --url serves the Porto Alegre network (streets + GTFS + hexagon layers);
// --cjk-url, if given, a small network near Changsha whose opportunity
// layer has a Chinese name.  Every check drives the page as a person would
// (clicks, drags, form fields) and compares what the page shows with what
// the server answered on the wire.  Screenshots go to --shots, their paths
// are printed.  Ends with `map: N passed, N failed, 0 skipped` (run.sh adds
// its own checks to the total), exit 1 on any failure.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const args = Object.fromEntries(process.argv.slice(2).reduce((a, x, i, all) =>
    (x.startsWith("--") ? [...a, [x.slice(2), all[i + 1]]] : a), []));
const BASE = args.url;
const SHOTS = args.shots;
if (!BASE || !SHOTS) {
    console.error("usage: node map.test.mjs --url URL --shots DIR [--cjk-url URL]");
    process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });
const TIMEOUT = Number(process.env.HH_WEB_TIMEOUT_MS || 120000);

let passed = 0, failed = 0;
async function check(name, fn) {
    const t0 = Date.now();
    try {
        await fn();
        passed++;
        console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
        failed++;
        console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : e}`);
    }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(a, b, msg) { if (a !== b) throw new Error(`${msg}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`); }
const shots = [];
async function shot(page, name) {
    const p = join(SHOTS, name + ".png");
    await page.screenshot({ path: p });
    shots.push(p);
}

// the page's own view of the world
const idle = (page) => page.waitForFunction(() => window.hh && window.hh.ready && window.hh.busy === 0,
    null, { timeout: TIMEOUT });
async function containerXY(page, lon, lat) {
    const p = await page.evaluate(([x, y]) => {
        const q = window.hh.map.latLngToContainerPoint([y, x]);
        return [q.x, q.y];
    }, [lon, lat]);
    const box = await page.locator("#map").boundingBox();
    return [box.x + p[0], box.y + p[1]];
}
async function clickAt(page, lon, lat) {
    const [x, y] = await containerXY(page, lon, lat);
    await page.mouse.click(x, y);
}
// runs action and returns the matching API response (and its request)
async function withResponse(page, path, method, action) {
    const wait = page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === method,
        { timeout: TIMEOUT });
    await action();
    const res = await wait;
    return res;
}
// types a value and leaves the field, which fires the field's change event
// once; returns how many API requests followed
async function setField(page, sel, value) {
    let n = 0;
    const count = (r) => { if (/^\/(isochrone|access)$/.test(new URL(r.url()).pathname)) n++; };
    page.on("request", count);
    await page.fill(sel, value);
    await page.locator(sel).blur();
    await page.waitForTimeout(50);
    await idle(page);
    page.off("request", count);
    eq(n <= 1, true, `${n} requests after changing ${sel} once`);
    return n;
}
const isoPaths = (page) => page.locator(".leaflet-iso-pane path.leaflet-interactive").count();
async function legendRows(page) {
    return page.$$eval("#iso-legend tr.band", (rows) => rows.map((r) => ({
        minutes: Number(r.dataset.minutes),
        dataArea: Number(r.dataset.areaKm2),
        area: r.querySelector(".area").textContent,
        population: r.querySelector(".population") ? r.querySelector(".population").textContent : null,
        swatch: getComputedStyle(r.querySelector(".swatch span")).backgroundColor,
    })));
}
// the legend must show each feature's area_km2 as the GeoJSON has it
async function checkLegend(page, gj, cutoffs) {
    const rows = await legendRows(page);
    eq(rows.length, cutoffs.length, "legend rows");
    eq(rows.map((r) => r.minutes).join(","), cutoffs.join(","), "legend minutes, smallest first");
    for (const r of rows) {
        const f = gj.features.find((x) => x.properties.contour === r.minutes);
        assert(f, `no feature for the legend's ${r.minutes} min`);
        const a = f.properties.area_km2;
        eq(r.dataArea, a, `legend area data for ${r.minutes} min`);
        const shown = parseFloat(r.area);
        const tol = (a < 10 ? 0.005 : 0.05) + 1e-9;
        assert(Math.abs(shown - a) <= tol, `legend shows ${r.area} km² for ${r.minutes} min, GeoJSON area_km2 ${a}`);
        const pop = f.properties.opportunities && f.properties.opportunities.population;
        if (pop !== undefined) {
            assert(r.population !== null, "legend lacks the population column");
            eq(Number(r.population.replace(/[^0-9]/g, "")), Math.round(pop), `population for ${r.minutes} min`);
        }
    }
    eq(new Set(rows.map((r) => r.swatch)).size, rows.length, "one colour per band");
}
function checkIsoGeojson(gj, cutoffs, mode) {
    eq(gj.type, "FeatureCollection", "isochrone answer type");
    eq(gj.features.length, cutoffs.length, "isochrone features (one per cutoff)");
    const byMin = [...gj.features].sort((a, b) => a.properties.contour - b.properties.contour);
    eq(byMin.map((f) => f.properties.contour).join(","), cutoffs.join(","), "contours");
    for (const f of gj.features) {
        eq(f.properties.mode, mode, "feature mode");
        assert(/Polygon$/.test(f.geometry.type), `geometry ${f.geometry.type}`);
        assert(f.properties.area_km2 > 0, `area_km2 ${f.properties.area_km2} for ${f.properties.contour} min`);
    }
    for (let i = 1; i < byMin.length; i++)
        assert(byMin[i].properties.area_km2 >= byMin[i - 1].properties.area_km2, "areas grow with the cutoff");
}
async function ramp(page) {
    return page.evaluate(() => {
        const lg = document.getElementById("access-legend");
        return { hidden: lg.hidden, title: lg.querySelector("h2") && lg.querySelector("h2").textContent,
                 min: lg.querySelector(".min") && lg.querySelector(".min").dataset.value,
                 max: lg.querySelector(".max") && lg.querySelector(".max").dataset.value,
                 minText: lg.querySelector(".min") && lg.querySelector(".min").textContent,
                 maxText: lg.querySelector(".max") && lg.querySelector(".max").textContent,
                 gradient: lg.querySelector(".hh-ramp") && lg.querySelector(".hh-ramp").style.background };
    });
}
// the access answer drawn: an image at X-Bbox, with coloured pixels, and a
// legend whose range is X-Range
async function checkAccessDrawn(page, res) {
    eq(res.status(), 200, "access status");
    assert(/^image\/png/.test(res.headers()["content-type"] || ""), `content-type ${res.headers()["content-type"]}`);
    const xr = (res.headers()["x-range"] || "").split(",").map(Number);
    const xb = (res.headers()["x-bbox"] || "").split(",").map(Number);
    assert(xr.length === 2 && xr.every(Number.isFinite) && xr[0] <= xr[1], `X-Range ${res.headers()["x-range"]}`);
    assert(xb.length === 4 && xb.every(Number.isFinite) && xb[0] < xb[2] && xb[1] < xb[3], `X-Bbox ${res.headers()["x-bbox"]}`);
    await idle(page);
    const img = await page.evaluate(async () => {
        const el = document.querySelector(".leaflet-access-pane img.hh-access-image");
        if (!el) return null;
        if (!el.complete) await new Promise((r) => { el.onload = r; });
        const c = document.createElement("canvas");
        c.width = el.naturalWidth; c.height = el.naturalHeight;
        const g = c.getContext("2d");
        g.drawImage(el, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        // the legend's ramp stops, as the page drew them
        const stops = (document.querySelector("#access-legend .hh-ramp").dataset.stops || "").split(",")
            .map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));
        // distance of a colour from the ramp's polyline in RGB
        const off = (r, g, b) => {
            let best = Infinity;
            for (let k = 0; k + 1 < stops.length; k++) {
                const p = stops[k], q = stops[k + 1];
                const v = [q[0] - p[0], q[1] - p[1], q[2] - p[2]], w = [r - p[0], g - p[1], b - p[2]];
                const vv = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
                const t = vv ? Math.max(0, Math.min(1, (w[0] * v[0] + w[1] * v[1] + w[2] * v[2]) / vv)) : 0;
                const e = [w[0] - t * v[0], w[1] - t * v[1], w[2] - t * v[2]];
                best = Math.min(best, Math.hypot(e[0], e[1], e[2]));
            }
            return best;
        };
        let opaque = 0, worst = 0;
        const colours = new Set();
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] === 0) continue;
            opaque++;
            colours.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
            if (d[i + 3] === 255) worst = Math.max(worst, off(d[i], d[i + 1], d[i + 2]));
        }
        const b = window.hh.lastAccess && window.hh.lastAccess.bbox;
        return { w: c.width, h: c.height, opaque, colours: colours.size, bbox: b, worst, stops: stops.length };
    });
    assert(img, "no access image on the map");
    assert(img.w > 0 && img.h > 0, `image ${img.w}x${img.h}`);
    assert(img.opaque > 0, "the access image has no visible pixel");
    assert(img.stops >= 2, "the legend names no ramp stops");
    assert(img.worst <= 4, `an image colour lies ${img.worst.toFixed(1)} RGB units off the legend's ramp`);
    eq(JSON.stringify(img.bbox), JSON.stringify(xb), "image placed at X-Bbox");
    const lg = await ramp(page);
    assert(!lg.hidden, "the ramp legend is hidden");
    eq(Number(lg.min), xr[0], "legend min = X-Range min");
    eq(Number(lg.max), xr[1], "legend max = X-Range max");
    const close = (text, v) => Math.abs(parseFloat(text.replace(/,/g, "")) - v) <= Math.max(0.5, Math.abs(v) * 0.05);
    assert(close(lg.minText, xr[0]) && close(lg.maxText, xr[1]), `legend text ${lg.minText}..${lg.maxText} vs X-Range ${xr}`);
    assert(/gradient/.test(lg.gradient), "the legend has no colour ramp");
    return { xr, xb, img };
}
async function platformFonts(page, selector) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    assert(nodeId, `no node ${selector}`);
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    await cdp.detach();
    return fonts;
}
const CJK_FONT = /CJK|Han Sans|Han Serif|WenQuanYi|Droid Sans Fallback|Noto Sans SC|Noto Serif SC/i;

const browser = await chromium.launch({ executablePath: process.env.HH_CHROMIUM || "/usr/bin/chromium", headless: true });
const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "en-US" });
const origins = [BASE, args["cjk-url"]].filter(Boolean).map((u) => new URL(u).origin);
const origin0 = origins[0];
const foreign = [];
const pageErrors = [];
context.on("request", (r) => {
    const u = r.url();
    if (!origins.some((o) => u.startsWith(o + "/")) && !/^(data|blob):/.test(u)) foreign.push(u);
});
function watch(page) {
    page.on("pageerror", (e) => pageErrors.push(e.message));
    return page;
}

const page = watch(await context.newPage());
let info = null, walkIso = null, walkOrigin = null;
const CUT = [10, 20, 30];
const CUT2 = [15, 30, 45];     // set in the transit check: a restored URL must bring these, not the defaults
// Porto Alegre: Centro Histórico (the first point of regions/porto-alegre/centres.csv)
const P0 = [-51.2288, -30.0276];

await check("page loads: /info, the network drawn as base layer, OSM attribution", async () => {
    const netRes = page.waitForResponse((r) => new URL(r.url()).pathname === "/network", { timeout: TIMEOUT });
    const infoRes = page.waitForResponse((r) => new URL(r.url()).pathname === "/info", { timeout: TIMEOUT });
    await page.goto(BASE);
    info = await (await infoRes).json();
    const nr = await netRes;
    eq(nr.status(), 200, "/network status");
    const q = new URL(nr.url()).searchParams;
    assert(q.get("bbox") && q.get("bbox").split(",").length === 4 && q.get("zoom"), "/network asked with bbox and zoom");
    await idle(page);
    const gj = await nr.json();
    assert(gj.features.length > 100, `network features ${gj.features.length}`);
    assert(gj.features.every((f) => /LineString$/.test(f.geometry.type) && typeof f.properties.class === "string"),
        "network features are lines with a class");
    const st = await page.evaluate(() => ({ n: window.hh.netCount, canvas: !!document.querySelector(".leaflet-overlay-pane canvas"),
        attr: document.querySelector(".leaflet-control-attribution").textContent }));
    assert(st.n > 100, `drawn network features ${st.n}`);
    assert(st.canvas, "no canvas for the base layer");
    assert(st.attr.includes("© OpenStreetMap contributors"), `attribution "${st.attr}"`);
    const modes = await page.$$eval("#mode option", (o) => o.map((x) => x.value));
    eq(modes.join(","), info.modes.join(","), "mode choices from /info");
    assert(modes.includes("transit"), "the Porto Alegre network offers transit");
    const layers = await page.$$eval("#access-layer option", (o) => o.map((x) => x.value));
    eq(layers.join(","), info.layers.map((l) => l.name).join(","), "layer choices from /info");
    await shot(page, "01-loaded-network");
});

await check("click a point: one polygon per cutoff, legend areas = area_km2", async () => {
    eq(await page.inputValue("#cutoffs"), CUT.join(","), "default cutoffs");
    const res = await withResponse(page, "/isochrone", "POST", () => clickAt(page, P0[0], P0[1]));
    eq(res.status(), 200, "isochrone status");
    const body = JSON.parse(res.request().postData());
    eq(body.mode, "walk", "request mode");
    eq(body.contours.map((c) => c.time).join(","), CUT.join(","), "request contours");
    assert(Math.abs(body.locations[0].lon - P0[0]) < 0.001 && Math.abs(body.locations[0].lat - P0[1]) < 0.001,
        `request location ${JSON.stringify(body.locations[0])}`);
    walkIso = await res.json();
    checkIsoGeojson(walkIso, CUT, "walk");
    await idle(page);
    eq(await isoPaths(page), CUT.length, "polygons drawn");
    await checkLegend(page, walkIso, CUT);
    walkOrigin = await page.evaluate(() => window.hh.state.origin.slice());
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    eq(hash.get("origin"), walkOrigin.join(","), "hash origin");
    eq(hash.get("cutoffs"), CUT.join(","), "hash cutoffs");
    eq(hash.get("mode"), "walk", "hash mode");
    await shot(page, "02-walk-isochrones");
});

await check("drag the origin: new request, polygons and legend change", async () => {
    const icon = page.locator(".leaflet-marker-icon");
    const box = await icon.boundingBox();
    // the marker's tip is its anchor; grab the icon's middle and drag 160 px east, 90 px south
    const x = box.x + box.width / 2, y = box.y + box.height / 2;
    const res = await withResponse(page, "/isochrone", "POST", async () => {
        await page.mouse.move(x, y);
        await page.mouse.down();
        for (let i = 1; i <= 12; i++) await page.mouse.move(x + 160 * i / 12, y + 90 * i / 12);
        await page.mouse.up();
    });
    eq(res.status(), 200, "isochrone status");
    const body = JSON.parse(res.request().postData());
    const o = body.locations[0];
    assert(Math.abs(o.lon - walkOrigin[0]) > 0.002 && o.lat < walkOrigin[1] - 0.001,
        `dragged origin ${o.lon},${o.lat} vs ${walkOrigin}`);
    const gj = await res.json();
    checkIsoGeojson(gj, CUT, "walk");
    await idle(page);
    eq(await isoPaths(page), CUT.length, "polygons drawn after the drag");
    const diff = gj.features.map((f) => Math.abs(f.properties.area_km2 -
        walkIso.features.find((g) => g.properties.contour === f.properties.contour).properties.area_km2));
    assert(Math.max(...diff) > 1e-3, `areas unchanged by the drag (${diff})`);
    await checkLegend(page, gj, CUT);
    const st = await page.evaluate(() => window.hh.state.origin.join(","));
    eq(st, [o.lon, o.lat].join(","), "state origin = requested origin");
    walkOrigin = [o.lon, o.lat];
    walkIso = gj;
    await shot(page, "03-dragged");
});

let transitHash = null;
await check("switch to transit: depart, window, percentile sent, polygons drawn", async () => {
    assert(!(await page.isVisible("#depart")), "transit fields shown before transit is chosen");
    let res = await withResponse(page, "/isochrone", "POST", () => page.selectOption("#mode", "transit"));
    assert(await page.isVisible("#depart"), "transit fields hidden in transit mode");
    let body = JSON.parse(res.request().postData());
    eq(body.mode, "transit", "request mode");
    if (info.transit && info.transit.default_depart) eq(body.depart, info.transit.default_depart, "default depart from /info");
    eq(body.window, 60, "default window");
    eq(body.percentile, 50, "default percentile");
    // the sample bus feed runs on Monday 2019-05-13, about 11:00 to 17:00
    res = await withResponse(page, "/isochrone", "POST", async () => {
        await setField(page, "#depart", "2019-05-13T12:00");
    });
    await withResponse(page, "/isochrone", "POST", async () => {
        await setField(page, "#window", "30");
    });
    await withResponse(page, "/isochrone", "POST", async () => {
        await setField(page, "#percentile", "75");
    });
    res = await withResponse(page, "/isochrone", "POST", async () => {
        await setField(page, "#cutoffs", CUT2.join(" , "));
    });
    body = JSON.parse(res.request().postData());
    eq(body.depart, "2019-05-13T12:00", "request depart");
    eq(body.window, 30, "request window");
    eq(body.percentile, 75, "request percentile");
    eq(res.status(), 200, "transit isochrone status");
    const gj = await res.json();
    eq(body.contours.map((c) => c.time).join(","), CUT2.join(","), "request contours");
    checkIsoGeojson(gj, CUT2, "transit");
    await idle(page);
    eq(await isoPaths(page), CUT2.length, "transit polygons drawn");
    await checkLegend(page, gj, CUT2);
    const t30 = gj.features.find((f) => f.properties.contour === 30).properties.area_km2;
    const w30 = walkIso.features.find((f) => f.properties.contour === 30).properties.area_km2;
    assert(t30 > w30, `30 min by transit (${t30} km²) not larger than on foot (${w30} km²)`);
    transitHash = await page.evaluate(() => location.hash);
    const h = new URLSearchParams(transitHash.slice(1));
    eq(h.get("mode"), "transit", "hash mode");
    eq(h.get("depart"), "2019-05-13T12:00", "hash depart");
    eq(h.get("cutoffs"), CUT2.join(","), "hash cutoffs");
    await shot(page, "04-transit");
});

await check("restore a transit view from its URL in a new tab", async () => {
    const url = page.url();
    assert(url.includes("#"), "no hash in the URL");
    const p2 = watch(await context.newPage());
    const res = await withResponse(p2, "/isochrone", "POST", () => p2.goto(url));
    const body = JSON.parse(res.request().postData());
    eq(body.mode, "transit", "restored mode");
    eq([body.locations[0].lon, body.locations[0].lat].join(","), walkOrigin.join(","), "restored origin");
    eq(body.contours.map((c) => c.time).join(","), CUT2.join(","), "restored cutoffs");
    eq(body.depart, "2019-05-13T12:00", "restored depart");
    eq(body.window, 30, "restored window");
    eq(body.percentile, 75, "restored percentile");
    await idle(p2);
    eq(await p2.inputValue("#mode"), "transit", "mode control");
    eq(await p2.inputValue("#cutoffs"), CUT2.join(","), "cutoffs control");
    eq(await p2.inputValue("#percentile"), "75", "percentile control");
    eq(await isoPaths(p2), CUT2.length, "restored polygons drawn");
    const c1 = await page.evaluate(() => [window.hh.map.getZoom(), window.hh.map.getCenter()]);
    const c2 = await p2.evaluate(() => [window.hh.map.getZoom(), window.hh.map.getCenter()]);
    eq(c2[0], c1[0], "restored zoom");
    assert(Math.abs(c2[1].lat - c1[1].lat) < 1e-4 && Math.abs(c2[1].lng - c1[1].lng) < 1e-4, "restored map centre");
    await shot(p2, "05-restored-transit");
    await p2.close();
});

let accessUrl = null;
await check("access layer: jobs within 30 min on foot as a colour grid, legend = X-Range", async () => {
    await withResponse(page, "/isochrone", "POST", () => page.selectOption("#mode", "walk"));
    await idle(page);
    await page.selectOption("#access-layer", "jobs");
    await setField(page, "#access-minutes", "30");
    const res = await withResponse(page, "/access", "POST", () => page.check("input[name=view][value=access]"));
    const body = JSON.parse(res.request().postData());
    eq(body.format, "png", "request format");
    eq(body.mode, "walk", "request mode");
    eq(body.layer, "jobs", "request layer");
    eq(JSON.stringify(body.minutes), "[30]", "request minutes");
    assert(Array.isArray(body.bbox) && body.bbox.length === 4 && body.cell > 0, "request bbox and cell");
    const { xr } = await checkAccessDrawn(page, res);
    assert(xr[1] > 0, `no jobs reached anywhere (X-Range ${xr})`);
    const lg = await ramp(page);
    assert(/jobs/.test(lg.title) && /30/.test(lg.title), `legend title "${lg.title}"`);
    const h = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    eq(h.get("view"), "access", "hash view");
    eq(h.get("layer"), "jobs", "hash layer");
    const outline = await page.evaluate(() =>
        [...document.querySelectorAll(".leaflet-iso-pane path.leaflet-interactive")].map((p) => p.getAttribute("fill-opacity")));
    eq(outline.join(","), "0,0,0", "isochrones over the access grid are outlines");
    accessUrl = page.url();
    await shot(page, "06-access-jobs-walk-30");
});

// The count of daily services per cell is the CLI's services_<min> column,
// which the server's /access adds for the preset as the CLI does.
await check("15-minute layer: the number of daily services (services_15) drawn", async () => {
    assert(await page.isHidden("#fifteen-fields"), "the 15-minute fields show outside its view");
    const res = await withResponse(page, "/access", "POST", () => page.check("input[name=view][value=fifteen]"));
    assert(await page.isVisible("#fifteen-fields"), "the 15-minute fields are hidden in its view");
    const body = JSON.parse(res.request().postData());
    eq(body.preset, "15min", "request preset");
    eq(body.mode, "walk", "request mode");
    eq(body.format, "png", "request format");
    eq(body.column, "services_15", "request column");
    eq(res.status(), 200, "status of the services_15 grid");
    const { xr } = await checkAccessDrawn(page, res);
    eq(res.headers()["x-column"], "services_15", "X-Column");
    const n = info.layers.filter((l) => ["schools", "healthcare", "groceries", "pharmacies", "parks", "transit_stops"]
        .includes(l.name) && l.total > 0).length;
    assert(xr[0] >= 0 && xr[1] <= n && xr[1] >= 1, `services reached ${xr} of ${n}`);
    const lg = await ramp(page);
    assert(/15-minute/.test(lg.title), `legend title "${lg.title}"`);
    await shot(page, "07-fifteen-minute-services");
});

await check("15-minute layer: one daily service (schools) within a 15-minute walk", async () => {
    if (!(await page.isChecked("input[name=view][value=fifteen]")))
        await withResponse(page, "/access", "POST", () => page.check("input[name=view][value=fifteen]"));
    await idle(page);
    const res = await withResponse(page, "/access", "POST", () => page.selectOption("#fifteen-service", "schools"));
    const body = JSON.parse(res.request().postData());
    eq(body.preset, "15min", "request preset");
    eq(body.column, "schools_15", "request column");
    const { xr } = await checkAccessDrawn(page, res);
    assert(xr[1] >= 1, `no school within 15 minutes anywhere (X-Range ${xr})`);
    const lg = await ramp(page);
    assert(/15-minute/.test(lg.title) && /schools/.test(lg.title), `legend title "${lg.title}"`);
    const h = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    eq(h.get("view"), "fifteen", "hash view");
    eq(h.get("service"), "schools", "hash service");
    assert(await page.isHidden("#error"), "the banner stays after a good answer of the same request");
    await shot(page, "08-fifteen-minute-schools");
});

await check("restore an access view from its URL", async () => {
    const p2 = watch(await context.newPage());
    const [iso, acc] = await Promise.all([
        p2.waitForResponse((r) => new URL(r.url()).pathname === "/isochrone", { timeout: TIMEOUT }),
        p2.waitForResponse((r) => new URL(r.url()).pathname === "/access", { timeout: TIMEOUT }),
        p2.goto(accessUrl),
    ]);
    const ib = JSON.parse(iso.request().postData());
    eq(ib.mode, "walk", "restored mode");
    eq([ib.locations[0].lon, ib.locations[0].lat].join(","), walkOrigin.join(","), "restored origin");
    eq(ib.contours.map((c) => c.time).join(","), CUT2.join(","), "restored cutoffs");
    const ab = JSON.parse(acc.request().postData());
    eq(ab.layer, "jobs", "restored layer");
    eq(JSON.stringify(ab.minutes), "[30]", "restored access minutes");
    await checkAccessDrawn(p2, acc);
    eq(await p2.isChecked("input[name=view][value=access]"), true, "access view checked");
    await p2.close();
});

await check("API errors are shown: a click outside the network, a cutoff over the limit", async () => {
    await page.check("input[name=view][value=iso]");
    await idle(page);
    assert(await page.isHidden("#error"), "an error banner is up before any error");
    const bb = info.bbox;
    // pan so that a point 0.3 degrees west of the network is on screen, and click it
    const out = [bb[0] - 0.3, (bb[1] + bb[3]) / 2];
    await page.evaluate(([x, y]) => { window.hh.map.setView([y, x], 11, { animate: false }); }, out);
    await idle(page);
    let res = await withResponse(page, "/isochrone", "POST", () => clickAt(page, out[0], out[1]));
    assert(res.status() >= 400 && res.status() < 500, `status ${res.status()} for an origin outside the network`);
    let err = await res.json();
    assert(typeof err.error === "string" && err.error.length > 0, "error JSON has no error");
    await page.waitForSelector("#error", { state: "visible", timeout: TIMEOUT });
    let text = await page.textContent("#error-text");
    assert(text.includes(err.error), `banner "${text}" lacks "${err.error}"`);
    assert(text.includes(String(res.status())), `banner "${text}" lacks the status`);
    eq(await isoPaths(page), 0, "polygons left on the map after the error");
    assert(await page.isHidden("#iso-legend"), "legend shown after the error");
    await shot(page, "09-error-outside");
    // back inside, a cutoff the server refuses
    await page.evaluate(([x, y]) => { window.hh.map.setView([y, x], 13, { animate: false }); }, P0);
    await idle(page);
    await withResponse(page, "/isochrone", "POST", () => clickAt(page, P0[0], P0[1]));
    await idle(page);
    assert(await page.isHidden("#error"), "the banner stays after a good answer");
    res = await withResponse(page, "/isochrone", "POST", async () => {
        await setField(page, "#cutoffs", "10,20,100000");
    });
    assert(res.status() >= 400 && res.status() < 500, `status ${res.status()} for a 100000-minute cutoff`);
    err = await res.json();
    await page.waitForSelector("#error", { state: "visible", timeout: TIMEOUT });
    text = await page.textContent("#error-text");
    assert(text.includes(err.error), `banner "${text}" lacks "${err.error}"`);
    await page.click("#error-close");
    assert(await page.isHidden("#error"), "the banner does not close");
    await withResponse(page, "/isochrone", "POST", async () => {
        await setField(page, "#cutoffs", CUT.join(","));
    });
    await idle(page);
});

await check("report between centres placed on the map, Chinese names displayed with CJK glyphs", async () => {
    await page.check("input[name=tool][value=centre]");
    const centres = [["市中心 Centro", -51.2305, -30.0300], ["莫伊尼奥斯", -51.2010, -30.0262], ["东区 PUCRS", -51.1733, -30.0597]];
    await page.evaluate(() => { window.hh.map.setView([-30.04, -51.20], 13, { animate: false }); });
    await idle(page);
    for (const [, lon, lat] of centres) await clickAt(page, lon, lat);
    eq(await page.locator("#centres li").count(), 3, "centres listed");
    const names = page.locator("#centres input.centre-name");
    for (let i = 0; i < centres.length; i++) await names.nth(i).fill(centres[i][0]);
    await page.uncheck("#report-modes input[value=transit]");
    await page.check("#report-modes input[value=car]");
    const res = await withResponse(page, "/report", "POST", () => page.click("#report-run"));
    const body = JSON.parse(res.request().postData());
    eq(body.centres.map((c) => c.name).join("|"), centres.map((c) => c[0]).join("|"), "centre names sent");
    eq(body.modes.join(","), "car", "report modes");
    eq(res.status(), 200, "report status");
    const j = await res.json();
    for (const [n] of centres) assert(JSON.stringify(j).includes(n), `the report's JSON lacks ${n}`);
    await idle(page);
    assert(await page.isVisible("#report-out"), "the report panel is hidden");
    const nt = await page.locator("#report-out table").count();
    assert(nt >= 1, "no table in the report panel");
    const cell = await page.evaluate(() => {
        const tds = [...document.querySelectorAll("#report-out td")];
        const i = tds.findIndex((td) => td.textContent === "莫伊尼奥斯");
        if (i >= 0) tds[i].id = "cjk-cell";
        return i;
    });
    assert(cell >= 0, "no report cell shows 莫伊尼奥斯");
    const fonts = await platformFonts(page, "#cjk-cell");
    assert(fonts.some((f) => CJK_FONT.test(f.familyName) && f.glyphCount > 0),
        `the Chinese cell is drawn with ${JSON.stringify(fonts)}`);
    const label = await page.evaluate(() => {
        const el = [...document.querySelectorAll(".hh-centre-label")].find((e) => e.textContent === "莫伊尼奥斯");
        if (el) el.id = "cjk-label";
        return !!el;
    });
    assert(label, "no map label shows 莫伊尼奥斯");
    const lf = await platformFonts(page, "#cjk-label");
    assert(lf.some((f) => CJK_FONT.test(f.familyName) && f.glyphCount > 0), `the map label uses ${JSON.stringify(lf)}`);
    await shot(page, "10-report-cjk");
    await page.click("#report-close");
});

if (args["cjk-url"]) {
    await check("a network with a Chinese layer name: listed, requested and shown in the legend", async () => {
        const p3 = watch(await context.newPage());
        const infoRes = p3.waitForResponse((r) => new URL(r.url()).pathname === "/info", { timeout: TIMEOUT });
        await p3.goto(args["cjk-url"]);
        const ci = await (await infoRes).json();
        await idle(p3);
        const names = ci.layers.map((l) => l.name);
        assert(names.includes("人口"), `/info layers ${names}`);
        const opts = await p3.$$eval("#access-layer option", (o) => o.map((x) => x.textContent));
        assert(opts.includes("人口"), `layer choices ${opts}`);
        await p3.selectOption("#access-layer", "人口");
        await setField(p3, "#access-minutes", "10");
        const res = await withResponse(p3, "/access", "POST", () => p3.check("input[name=view][value=access]"));
        eq(JSON.parse(res.request().postData()).layer, "人口", "request layer");
        await checkAccessDrawn(p3, res);
        const lg = await ramp(p3);
        assert(lg.title.includes("人口"), `legend title ${lg.title}`);
        // the column name comes in the X-Column header, as UTF-8 bytes
        const hint = await p3.textContent("#access-legend .hint");
        assert(hint.includes("人口_10"), `legend note "${hint}" lacks the column 人口_10`);
        await p3.evaluate(() => { document.querySelector("#access-legend h2").id = "cjk-title"; });
        const f = await platformFonts(p3, "#cjk-title");
        assert(f.some((x) => CJK_FONT.test(x.familyName) && x.glyphCount > 0), `legend title fonts ${JSON.stringify(f)}`);
        const h = await p3.evaluate(() => location.hash);
        assert(h.includes("layer=" + encodeURIComponent("人口")), `hash ${h}`);
        await shot(p3, "11-cjk-layer");
        await p3.close();
    });
}

await check("a raster tile layer from ?tiles=URL, under the network, OSM attribution kept", async () => {
    // a tile URL on the test server itself: the tiles answer 404 (no tile server here), but the
    // layer must ask for them at that address, and nothing else changes
    const tiles = origin0 + "/tiles-test/{z}/{x}/{y}.png";
    const p4 = watch(await context.newPage());
    const asked = [];
    p4.on("request", (r) => { if (r.url().startsWith(origin0 + "/tiles-test/")) asked.push(r.url()); });
    await p4.goto(BASE + "?tiles=" + encodeURIComponent(tiles));
    await idle(p4);
    await p4.waitForFunction(() => document.querySelectorAll(".leaflet-tile-pane img.leaflet-tile").length > 0,
        null, { timeout: TIMEOUT });
    const srcs = await p4.$$eval(".leaflet-tile-pane img.leaflet-tile", (els) => els.map((e) => e.src));
    assert(srcs.every((u) => /\/tiles-test\/\d+\/\d+\/\d+\.png$/.test(u)), `tile addresses ${srcs.slice(0, 3)}`);
    assert(asked.length > 0, "no tile was requested");
    eq(await p4.inputValue("#tiles"), tiles, "Settings shows the tile URL");
    const h = await p4.evaluate(() => location.hash);
    assert(h.includes("tiles=" + encodeURIComponent(tiles)), `hash ${h} lacks the tile URL`);
    const attr = await p4.textContent(".leaflet-control-attribution");
    assert(attr.includes("© OpenStreetMap contributors"), `attribution "${attr}"`);
    const z = await p4.evaluate(() => [getComputedStyle(document.querySelector(".leaflet-tile-pane")).zIndex,
        getComputedStyle(document.querySelector(".leaflet-overlay-pane")).zIndex].map(Number));
    assert(z[0] < z[1], `tiles (z ${z[0]}) not under the network (z ${z[1]})`);
    await p4.close();
});

// The scenario panel: a new line drawn stop by stop (the express line of
// regions/porto-alegre/scenario_express.geojson), compared by POST
// /scenario over the view's access grid.  A new line never lowers anyone's
// transit access, so the answer has gains and no losses, and the map draws
// exactly the cells that changed, blue.
const EXPRESS = [[-51.2278, -30.0290], [-51.2100, -30.0330], [-51.1950, -30.0420], [-51.1800, -30.0520],
                 [-51.1650, -30.0650], [-51.1500, -30.0800]];
await check("scenario: draw a new transit line, the access gain appears in blue (no loss)", async () => {
    const p5 = watch(await context.newPage());
    await p5.goto(BASE + "#mode=transit&window=5&percentile=50&view=iso&map=13/-30.05/-51.19");
    await idle(p5);
    await p5.selectOption("#access-layer", "jobs");
    await p5.check("input[name=tool][value=scenario]");
    await p5.selectOption("#scenario-type", "add-line");
    await p5.fill("#scenario-headway", "5");
    await p5.fill("#scenario-speed", "40");
    assert(await p5.isDisabled("#scenario-run"), "Compare is enabled without a line");
    for (const [x, y] of EXPRESS) await clickAt(p5, x, y);
    eq(await p5.evaluate(() => window.hh.state.scenario.points.length), EXPRESS.length, "stops drawn");
    assert(/6 stops/.test(await p5.textContent("#scenario-points")), "the panel counts the stops");
    const res = await withResponse(p5, "/scenario", "POST", () => p5.click("#scenario-run"));
    eq(res.status(), 200, "status of POST /scenario");
    const body = JSON.parse(res.request().postData());
    eq(body.analysis, "access", "request analysis");
    eq(body.mode, "transit", "request mode");
    eq(body.format, "geojson", "request format");
    const f0 = body.change.features[0];
    eq(f0.properties.type, "add-line", "change type");
    eq(f0.properties.headway_min, 5, "headway");
    eq(f0.geometry.coordinates.length, EXPRESS.length, "stops sent");
    f0.geometry.coordinates.forEach((c, i) => assert(Math.abs(c[0] - EXPRESS[i][0]) < 1e-4 &&
        Math.abs(c[1] - EXPRESS[i][1]) < 1e-4, `stop ${i} sent at ${c}, drawn at ${EXPRESS[i]}`));
    const gj = await res.json();
    const col = "jobs_30_p50_diff";
    assert(gj.features.length > 0 && col in gj.features[0].properties, `no ${col} in the answer`);
    const up = gj.features.filter((f) => f.properties[col] > 0).length;
    const down = gj.features.filter((f) => f.properties[col] < 0).length;
    assert(up > 0, "the new line gains nothing");
    eq(down, 0, "cells that lose with a new line");
    await idle(p5);
    const ls = await p5.evaluate(() => window.hh.lastScenario);
    eq(ls.column, col, "the column drawn");
    eq(ls.gained, up, "cells the page counts as gaining");
    eq(ls.lost, 0, "cells the page counts as losing");
    const fills = await p5.$$eval(".leaflet-scenario-pane path", (els) => els.map((e) => e.getAttribute("fill")));
    eq(fills.length, up, "cells drawn");
    const blues = ["#d1e5f0", "#92c5de", "#4393c3", "#2166ac"];
    assert(fills.every((f) => blues.includes(f)), `cells not blue: ${fills.filter((f) => !blues.includes(f)).slice(0, 3)}`);
    eq(await p5.getAttribute("#scenario-legend .gain", "data-gained"), String(up), "legend's gaining cells");
    assert(await p5.isVisible("#scenario-legend"), "the scenario legend is hidden");
    await shot(p5, "12-scenario-new-line-gain");
    await p5.click("#scenario-clear");
    eq(await p5.$$eval(".leaflet-scenario-pane path", (els) => els.length), 0, "cells left after Clear");
    await p5.close();
});

await check("nothing fetched from outside the server; no script errors", async () => {
    eq(foreign.length, 0, `requests outside ${origins}: ${foreign.slice(0, 5).join(" ")}`);
    eq(pageErrors.length, 0, `page errors: ${pageErrors.slice(0, 3).join(" | ")}`);
});

await browser.close();
for (const s of shots) console.log("screenshot " + s);
console.log(`map: ${passed} passed, ${failed} failed, 0 skipped`);
process.exit(failed ? 1 : 0);
