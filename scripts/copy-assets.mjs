// Copy the front end's built files from node_modules into static/ (never committed; `make
// assets` runs this after `npm ci`): Det Fælles Designsystem into static/dkfds/, Chart.js
// (the budget dashboard's charts) into static/vendor/chart.js/.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";

const source = "node_modules/dkfds/dist";
const target = "static/dkfds";
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const part of ["css", "js", "fonts", "img"]) {
  cpSync(`${source}/${part}`, `${target}/${part}`, { recursive: true });
}
console.log(`copied ${source} -> ${target}`);

// Chart.js's browser build (UMD: it defines window.Chart), minified, with its licence.
const chart = "node_modules/chart.js";
const chartTarget = "static/vendor/chart.js";
rmSync(chartTarget, { recursive: true, force: true });
mkdirSync(chartTarget, { recursive: true });
for (const file of ["dist/chart.umd.min.js", "LICENSE.md"]) {
  const from = `${chart}/${file}`;
  if (!existsSync(from)) {
    throw new Error(`${from} is missing: is chart.js installed (npm ci)?`);
  }
  cpSync(from, `${chartTarget}/${file.split("/").pop()}`);
}
console.log(`copied ${chart} -> ${chartTarget}`);
