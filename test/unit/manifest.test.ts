/*
 * The Moddable manifests, as mcconfig reads them. What mcconfig does not
 * check, checked here (each was found building with a real SDK):
 * - mcconfig matches wildcard preloads against .js files only, so a .ts
 *   module must be preloaded by name; a module left out runs after the
 *   built-in prototypes are frozen;
 * - the SDK's typings for the modules src/typings replaces are excluded ("~"),
 *   or their declarations merge with ours;
 * - the TypeScript target matches the project's tsconfig (the SDK's default,
 *   es2025, needs TypeScript 6).
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { firmwareModules, ROOT } from "../../sim/firmware-modules";

interface Manifest {
  modules: Record<string, string | string[]>;
  preload?: string[];
  typescript?: { tsconfig: { compilerOptions: Record<string, unknown> } };
}
const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Manifest;
const main = read("manifest.json");
const simHost = read("hosts/sim/manifest.json");
const modules = firmwareModules();

describe("manifests", () => {
  it("preload every firmware module by name (no wildcards: mcconfig skips them for .ts)", () => {
    const preloaded = new Set([...(main.preload ?? []), ...(simHost.preload ?? [])]);
    const sdkModules = new Set(Object.keys(simHost.modules).filter((name) => String(simHost.modules[name]).startsWith("$(MODDABLE)")));
    for (const entry of preloaded) {
      assert.ok(!entry.includes("*"), `preload ${entry} has a wildcard`);
      assert.ok(modules.byName.has(entry) || sdkModules.has(entry), `preload ${entry} names no module`);
    }
    for (const name of modules.byName.keys()) {
      if (name === "main") continue; // the entry point runs at boot, not at preload
      assert.ok(preloaded.has(name), `module ${name} is not preloaded; run npm run preloads`);
    }
  });

  it("exclude the SDK typings that src/typings replaces", () => {
    assert.deepEqual(main.modules["~"], ["$(MODDABLE)/typings/embedded_provider/builtin", "$(MODDABLE)/typings/mc/config",
      "$(MODDABLE)/typings/embedded/update", "$(MODDABLE)/typings/embedded/storage/flash", "$(MODDABLE)/typings/crypt"]);
  });

  it("compile TypeScript for the same target as tsconfig.json", () => {
    const { config } = ts.readConfigFile(join(ROOT, "tsconfig.json"), (path) => readFileSync(path, "utf8"));
    const options = main.typescript!.tsconfig.compilerOptions;
    assert.equal(String(options.target).toLowerCase(), String(config.compilerOptions.target).toLowerCase());
    assert.deepEqual((options.lib as string[]).map((l) => l.toLowerCase()), (config.compilerOptions.lib as string[]).map((l) => l.toLowerCase()));
    assert.equal(options.strict, true);
  });

  it("give every config default a value the firmware's settings accept", async () => {
    const { parseSettings } = await import("../../src/app/settings");
    assert.doesNotThrow(() => parseSettings((JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")) as { config: Record<string, unknown> }).config));
  });
});
