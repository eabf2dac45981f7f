/*
 * `npm run preloads`: rewrites the preload lists of manifest.json and
 * hosts/sim/manifest.json to name every firmware module the manifests map
 * with a wildcard. mcconfig matches wildcard preloads against .js files only,
 * so TypeScript modules must be listed one by one (test/unit/manifest.test.ts
 * checks it). Entries that are not wildcard modules stay first, in order.
 */

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ROOT } from "../sim/firmware-modules";

interface Manifest {
  modules: Record<string, string | string[]>;
  preload?: string[];
}

function wildcardModules(path: string, manifest: Manifest): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(manifest.modules)) {
    if (!key.endsWith("/*") || typeof value !== "string" || value.startsWith("$(")) continue;
    const dir = resolve(dirname(path), value.slice(0, -2));
    for (const entry of readdirSync(dir).sort()) {
      if (/\.ts$/.test(entry) && !entry.endsWith(".d.ts")) names.push(key.slice(0, -1) + entry.slice(0, -3));
    }
  }
  return names;
}

for (const relative of ["manifest.json", "hosts/sim/manifest.json"]) {
  const path = join(ROOT, relative);
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
  const modules = wildcardModules(path, manifest);
  const kept = (manifest.preload ?? []).filter((name) => !modules.includes(name) && !/^(app|mqtt|sensors|sim\/devices)\//.test(name));
  manifest.preload = [...kept, ...modules];
  writeFileSync(path, JSON.stringify(manifest, null, "\t") + "\n");
  process.stdout.write(`${relative}: ${manifest.preload.length} preloads\n`);
}
