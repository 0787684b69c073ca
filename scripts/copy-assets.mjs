// Copy the design system's built files from node_modules into static/dkfds/
// (never committed; `make assets` runs this after `npm ci`).
import { cpSync, mkdirSync, rmSync } from "node:fs";

const source = "node_modules/dkfds/dist";
const target = "static/dkfds";
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const part of ["css", "js", "fonts", "img"]) {
  cpSync(`${source}/${part}`, `${target}/${part}`, { recursive: true });
}
console.log(`copied ${source} -> ${target}`);
