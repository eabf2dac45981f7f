/*
 * Node module hooks for the Node host: firmware imports resolve as on a
 * device (see sim/firmware-modules.ts). The device's built-in modules map to
 * this host's implementations in ./modules; `mc/config` is generated from
 * the manifests' config and the host's overrides; any other import from the
 * firmware fails with a message naming the module and the host.
 *
 * Runs on Node's loader thread (module.register); registered after tsx, so
 * TypeScript sources load through tsx.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type DeviceModule, DEVICE_MODULES, firmwareModules, isDeviceModule, resolveFirmwareImport } from "../firmware-modules";

interface HookData {
  config: Record<string, unknown>;
  /** URL of an update image from a flash slot (sim/image.ts), when the bootloader chose one. */
  image?: string;
}

type ResolveResult = { url: string; format?: string; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;
interface ResolveContext { parentURL?: string; conditions: string[]; importAttributes?: Record<string, string> }
type LoadResult = { format: string; source?: string; shortCircuit?: boolean };
type NextLoad = (url: string, context: object) => Promise<LoadResult>;

const CONFIG_URL = "firmware-host:mc/config";
const modules = firmwareModules();
let configSource = "export default Object.freeze({});";
let imageURL: string | undefined;

const implementations: Record<Exclude<DeviceModule, "mc/config">, string> = {
  "boot-control": new URL("./modules/boot-control.ts", import.meta.url).href,
  "crypt": new URL("./modules/crypt.ts", import.meta.url).href,
  "embedded:io/socket/tcp": new URL("./modules/tcp.ts", import.meta.url).href,
  "embedded:io/socket/tcp/tls": new URL("./modules/tls.ts", import.meta.url).href,
  "embedded:storage/flash": new URL("./modules/flash.ts", import.meta.url).href,
  "embedded:update": new URL("./modules/update.ts", import.meta.url).href,
  "net": new URL("./modules/net.ts", import.meta.url).href,
  "preference": new URL("./modules/preference.ts", import.meta.url).href,
  "time": new URL("./modules/time.ts", import.meta.url).href,
  "timer": new URL("./modules/timer.ts", import.meta.url).href,
};

export function initialize(data: HookData): void {
  configSource = `export default Object.freeze(${JSON.stringify(data.config)});`;
  imageURL = data.image;
}

function device(name: DeviceModule): ResolveResult | string {
  return name === "mc/config" ? { url: CONFIG_URL, shortCircuit: true } : implementations[name];
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  if (imageURL && context.parentURL === imageURL) {
    // An update image links only the device's built-in modules; it bundles everything else.
    if (!isDeviceModule(specifier)) throw new Error(`Node host: the firmware image imports "${specifier}", which the device does not provide (${DEVICE_MODULES.join(", ")})`);
    const found = device(specifier);
    return typeof found === "string" ? next(found, context) : found;
  }
  const parent = context.parentURL?.startsWith("file:") ? fileURLToPath(context.parentURL) : undefined;
  if (!parent || !modules.byFile.has(parent)) return next(specifier, context);
  const found = resolveFirmwareImport(modules, "Node", specifier, parent);
  if (found.kind === "firmware") return next(pathToFileURL(found.file).href, context); // through tsx, which compiles it
  const resolved = device(found.name);
  return typeof resolved === "string" ? next(resolved, context) : resolved;
}

export async function load(url: string, context: object, next: NextLoad): Promise<LoadResult> {
  if (url === CONFIG_URL) return { format: "module", source: configSource, shortCircuit: true };
  if (url === imageURL) return { format: "module", source: readFileSync(fileURLToPath(url), "utf8"), shortCircuit: true };
  return next(url, context);
}
