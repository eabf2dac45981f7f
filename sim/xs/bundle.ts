/*
 * Builds the firmware for the XS host: one ES module (esbuild) holding the
 * bridge and the firmware image, with firmware imports resolved as on a
 * device (sim/firmware-modules.ts): its own modules by manifest name, the
 * device's built-in modules mapped to the XS host's implementations in
 * ./engine/modules, `mc/config` baked in from the manifest config and
 * overrides (as mcconfig bakes it), and anything else refused.
 *
 * The image is the working tree's (sim/image-entry.ts) or an update from a
 * flash slot: a bundle whose device-module imports were left open
 * (sim/image.ts) and are resolved here the same way.
 */

import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, type OnResolveResult, type Plugin } from "esbuild";
import type { FirmwareConfig } from "../config";
import { type DeviceModule, FACTORY_IMAGE, firmwareModules, isDeviceModule, resolveFirmwareImport, ROOT } from "../firmware-modules";

const ENGINE = join(ROOT, "sim/xs/engine");

const implementations: Record<Exclude<DeviceModule, "mc/config">, string> = {
  "boot-control": join(ENGINE, "modules/boot-control.ts"),
  "crypt": join(ENGINE, "modules/crypt.ts"),
  "embedded:io/socket/tcp": join(ENGINE, "modules/tcp.ts"),
  "embedded:io/socket/tcp/tls": join(ENGINE, "modules/tls.ts"),
  "embedded:storage/flash": join(ENGINE, "modules/flash.ts"),
  "embedded:update": join(ENGINE, "modules/update.ts"),
  "net": join(ENGINE, "modules/net.ts"),
  "preference": join(ENGINE, "modules/preference.ts"),
  "time": join(ENGINE, "modules/time.ts"),
  "timer": join(ENGINE, "modules/timer.ts"),
};

function device(name: DeviceModule): OnResolveResult {
  return name === "mc/config" ? { path: "mc/config", namespace: "mc-config" } : { path: implementations[name] };
}

/**
 * Resolves firmware imports as a device build links them. `onDevice` says
 * what a device module becomes: the XS host's implementation, or left open
 * (external) in a simulator image.
 */
export function firmwareResolution(entry: string, onDevice: (name: DeviceModule) => OnResolveResult, image?: string): Plugin {
  const modules = firmwareModules();
  return {
    name: "device-modules",
    setup(esbuild) {
      esbuild.onResolve({ filter: /.*/ }, (args) => {
        if (args.path === "firmware-image") return { path: image ?? FACTORY_IMAGE };
        // A start-up module (a probe, a bench firmware) or an update image may import the device's modules itself.
        if ((args.importer === entry || (image && args.importer === image)) && isDeviceModule(args.path)) return onDevice(args.path);
        if (!modules.byFile.has(args.importer)) return undefined;
        const found = resolveFirmwareImport(modules, "XS", args.path, args.importer);
        if (found.kind === "firmware") return { path: found.file };
        return onDevice(found.name);
      });
    },
  };
}

/** How the firmware is bundled for XS: one ES module, the language level the manifest's TypeScript targets. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  tsconfig: join(ROOT, "tsconfig.json"),
  logLevel: "silent",
  legalComments: "none",
} as const;

function bakedConfig(config: FirmwareConfig): Plugin {
  return {
    name: "mc-config",
    setup(esbuild) {
      esbuild.onLoad({ filter: /.*/, namespace: "mc-config" }, () => ({
        contents: `export default Object.freeze(${JSON.stringify(config)});`,
        loader: "js",
      }));
    },
  };
}

/**
 * Bundles the firmware with `config` baked in; returns the bundle's path.
 * `entry` replaces the usual start-up module (tests run probes this way);
 * `image` is an update slot's image to run instead of the working tree's.
 */
export async function bundleFirmware(config: FirmwareConfig, entry = join(ENGINE, "entry.ts"), image?: string): Promise<string> {
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [entry],
    plugins: [firmwareResolution(entry, device, image), bakedConfig(config)],
    // Update images are .bin files holding JavaScript.
    loader: { ".bin": "js" },
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
