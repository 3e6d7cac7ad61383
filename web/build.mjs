// build.mjs: web/src + the pinned Leaflet from node_modules -> web/dist, the
// folder `halfhour serve --web` serves.  No bundler: the page is three files
// and Leaflet ships a ready UMD build, so copying is all a build needs.
// Written to dist.tmp and renamed, so a failed build never leaves half a dist.
import { cpSync, mkdirSync, rmSync, renameSync, existsSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const tmp = join(here, "dist.tmp");
const leaflet = join(here, "node_modules", "leaflet", "dist");
if (!existsSync(join(leaflet, "leaflet.js"))) {
    console.error("build.mjs: node_modules/leaflet is missing: run `npm ci` in web/ first");
    process.exit(1);
}
rmSync(tmp, { recursive: true, force: true });
mkdirSync(join(tmp, "assets", "leaflet"), { recursive: true });
cpSync(join(here, "src", "index.html"), join(tmp, "index.html"));
for (const f of ["app.js", "style.css"])
    cpSync(join(here, "src", f), join(tmp, "assets", f));
for (const f of ["leaflet.js", "leaflet.css", "images"])
    cpSync(join(leaflet, f), join(tmp, "assets", "leaflet", f), { recursive: true });
cpSync(join(here, "node_modules", "leaflet", "LICENSE"), join(tmp, "assets", "leaflet", "LICENSE"));
const version = JSON.parse(readFileSync(join(here, "node_modules", "leaflet", "package.json"), "utf8")).version;
writeFileSync(join(tmp, "assets", "BUILD"), "built by web/build.mjs from web/src and leaflet " + version + "\n");
rmSync(dist, { recursive: true, force: true });
renameSync(tmp, dist);
console.log("build.mjs: wrote " + dist);
