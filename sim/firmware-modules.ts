/*
 * The firmware's module map, read from the Moddable manifests the way
 * `mcconfig` reads them, so the simulator hosts resolve imports exactly as a
 * device build links them:
 *
 * - a module is a file the manifests name (manifest.json plus the host's
 *   manifest), under the name they give it ("mqtt/client", "main", ...);
 * - a relative import resolves against the importing module's *name*, as XS
 *   does on a device, and must land on a module the manifests name;
 * - a bare import must be a manifest module or one of the device's built-in
 *   modules (DEVICE_MODULES), which each host implements.
 *
 * Anything else is an error naming the module, the importer and the host.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The start-up module of the working tree's firmware, the simulators' factory image (the firmware plus the simulated board). */
export const FACTORY_IMAGE = join(ROOT, "sim/image-entry.ts");

/**
 * Modules the Moddable SDK provides on the boards this firmware targets and
 * that the simulator hosts implement. The firmware may import these and its
 * own modules, nothing else.
 */
export const DEVICE_MODULES = [
  // ESP32: the project's native module (hosts/esp32/boot-control) over ESP-IDF's app rollback.
  "boot-control",
  // The SDK's native message digests (modules/crypt/digest).
  "crypt",
  "embedded:io/socket/tcp",
  // On boards, the SDK's example TLS socket (examples/io/tcp/tlssocket); see README "TLS".
  "embedded:io/socket/tcp/tls",
  // ESP32: the SDK's ECMA-419 firmware update (modules/io/update).
  "embedded:update",
  // With embedded:update: flash.open({path: "nextota"}) names the update slot.
  "embedded:storage/flash",
  "mc/config",
  // Net.resolve, for host names (hosts/common/dns.ts); the simulators give only that part of `net`.
  "net",
  "preference",
  "time",
  "timer",
] as const;

export type DeviceModule = (typeof DEVICE_MODULES)[number];

export function isDeviceModule(specifier: string): specifier is DeviceModule {
  return (DEVICE_MODULES as readonly string[]).includes(specifier);
}

interface Manifest {
  modules?: Record<string, string | string[]>;
}

export interface FirmwareModules {
  /** Module name -> absolute path of its .ts source. */
  readonly byName: ReadonlyMap<string, string>;
  /** Absolute source path -> module name. */
  readonly byFile: ReadonlyMap<string, string>;
}

function sourceFile(base: string): string | undefined {
  for (const extension of [".ts", ".js"]) if (existsSync(base + extension)) return base + extension;
  return undefined;
}

function addEntry(map: Map<string, string>, manifestDir: string, key: string, value: string): void {
  if (value.startsWith("$(")) return; // SDK modules: the host provides what the device module set has
  const target = resolve(manifestDir, value);
  if (value.endsWith("/*")) {
    const dir = target.slice(0, -2);
    const prefix = key === "*" ? "" : key.slice(0, -1); // "mqtt/*" -> "mqtt/"
    if (!key.endsWith("*")) throw new Error(`manifest module ${key}: a wildcard path needs a wildcard name`);
    for (const entry of readdirSync(dir)) {
      if (!/\.(ts|js)$/.test(entry) || entry.endsWith(".d.ts")) continue;
      map.set(prefix + entry.replace(/\.(ts|js)$/, ""), join(dir, entry));
    }
    return;
  }
  const file = sourceFile(target);
  if (!file) throw new Error(`manifest module ${key}: no ${relative(ROOT, target)}.ts`);
  const name = key === "*" ? target.slice(target.lastIndexOf("/") + 1) : key;
  map.set(name, file);
}

function readModules(manifestPath: string, map: Map<string, string>): void {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const dir = dirname(manifestPath);
  for (const [key, value] of Object.entries(manifest.modules ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) addEntry(map, dir, key, one);
  }
}

/**
 * The firmware's modules in the project's simulator hosts: manifest.json, then
 * hosts/sim/manifest.json (the SDK's desktop simulator uses it too), then
 * sim/manifest.json, what the project's simulators have beyond that one:
 * update slots (sim/flash.ts), so `host/update` is hosts/common/update as on
 * an ESP32, where the SDK's simulator has none.
 */
export function firmwareModules(): FirmwareModules {
  const byName = new Map<string, string>();
  for (const manifest of ["manifest.json", "hosts/sim/manifest.json", "sim/manifest.json"]) readModules(join(ROOT, manifest), byName);
  const byFile = new Map<string, string>();
  for (const [name, file] of byName) byFile.set(file, name);
  return { byName, byFile };
}

/** XS's relative specifier resolution (xs/platforms/mc/xsHosts.c fxFindModule): against the importer's module name. */
export function resolveRelativeName(importer: string, specifier: string): string | undefined {
  const parts = importer.split("/");
  parts.pop();
  for (const part of specifier.replace(/\.(js|ts|mjs)$/, "").split("/")) {
    if (part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    }
    else parts.push(part);
  }
  return parts.join("/");
}

export type Resolution =
  | { kind: "firmware"; name: string; file: string }
  | { kind: "device"; name: DeviceModule };

/**
 * Resolves `specifier` imported by the firmware source file `importerFile`
 * as a device build would, or throws an Error a person can act on.
 */
export function resolveFirmwareImport(modules: FirmwareModules, host: string, specifier: string, importerFile: string): Resolution {
  const importer = modules.byFile.get(importerFile);
  const shown = relative(ROOT, importerFile);
  if (!importer) throw new Error(`${host} host: ${shown} is not a module in manifest.json or hosts/sim/manifest.json, so a device build would not contain it`);
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    const name = resolveRelativeName(importer, specifier);
    const file = name === undefined ? undefined : modules.byName.get(name);
    if (!name || !file)
      throw new Error(`${host} host: "${specifier}" imported by ${shown} (module "${importer}") resolves to module "${name ?? "(above the root)"}", which no manifest names; add it to manifest.json`);
    const onDisk = resolve(dirname(importerFile), specifier);
    if (file.replace(/\.(ts|js)$/, "") !== onDisk.replace(/\.(ts|js)$/, ""))
      throw new Error(`${host} host: "${specifier}" imported by ${shown} is ${relative(ROOT, onDisk)} on disk but module "${name}" (${relative(ROOT, file)}) on a device; make the manifest names mirror the folders`);
    return { kind: "firmware", name, file };
  }
  if (isDeviceModule(specifier)) return { kind: "device", name: specifier };
  const file = modules.byName.get(specifier);
  if (file) return { kind: "firmware", name: specifier, file };
  throw new Error(`${host} host: the firmware imports "${specifier}" (in ${shown}), which is neither a module of its own (manifest.json) nor one the device provides (${DEVICE_MODULES.join(", ")})`);
}
