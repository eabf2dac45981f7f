/*
 * Builds the firmware for the XS host: one ES module (esbuild) holding the
 * bridge, the simulator's host provider and the firmware, with firmware
 * imports resolved as on a device (sim/firmware-modules.ts): its own modules
 * by manifest name, the device's built-in modules mapped to the XS host's
 * implementations in ./engine/modules, `mc/config` baked in from the manifest
 * config and overrides (as mcconfig bakes it), and anything else refused.
 */

import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import type { FirmwareConfig } from "../config";
import { type DeviceModule, firmwareModules, isDeviceModule, resolveFirmwareImport, ROOT } from "../firmware-modules";

const ENGINE = join(ROOT, "sim/xs/engine");

const implementations: Record<Exclude<DeviceModule, "mc/config">, string> = {
  "embedded:io/socket/tcp": join(ENGINE, "modules/tcp.ts"),
  "embedded:io/socket/tcp/tls": join(ENGINE, "modules/tls.ts"),
  "preference": join(ENGINE, "modules/preference.ts"),
  "time": join(ENGINE, "modules/time.ts"),
  "timer": join(ENGINE, "modules/timer.ts"),
};

function device(name: DeviceModule): { path: string; namespace?: string } {
  return name === "mc/config" ? { path: "mc/config", namespace: "mc-config" } : { path: implementations[name] };
}

function deviceResolution(config: FirmwareConfig, entry: string): Plugin {
  const modules = firmwareModules();
  return {
    name: "device-modules",
    setup(esbuild) {
      esbuild.onResolve({ filter: /.*/ }, (args) => {
        // A custom start-up module (a probe, a bench firmware) may import the device's modules itself.
        if (args.importer === entry && isDeviceModule(args.path)) return device(args.path);
        if (!modules.byFile.has(args.importer)) return undefined;
        const found = resolveFirmwareImport(modules, "XS", args.path, args.importer);
        if (found.kind === "firmware") return { path: found.file };
        return device(found.name);
      });
      esbuild.onLoad({ filter: /.*/, namespace: "mc-config" }, () => ({
        contents: `export default Object.freeze(${JSON.stringify(config)});`,
        loader: "js",
      }));
    },
  };
}

/**
 * Bundles the firmware with `config` baked in; returns the bundle's path.
 * `entry` replaces the usual start-up module (tests run probes this way).
 */
export async function bundleFirmware(config: FirmwareConfig, entry = join(ENGINE, "entry.ts")): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    tsconfig: join(ROOT, "tsconfig.json"),
    plugins: [deviceResolution(config, entry)],
    logLevel: "silent",
    legalComments: "none",
  });
  const code = result.outputFiles[0].contents;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const dir = join(ROOT, "build/xs");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `firmware-${hash}.js`);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, path);
  return path;
}
