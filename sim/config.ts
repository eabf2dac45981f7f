/*
 * The firmware's `mc/config` for the simulator hosts: manifest.json's
 * `config`, then hosts/sim/manifest.json's, then the overrides a host is
 * started with, the way `mcconfig ... key=value` layers them.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./firmware-modules";

export type FirmwareConfig = Record<string, unknown>;

function manifestConfig(path: string): FirmwareConfig {
  const manifest = JSON.parse(readFileSync(path, "utf8")) as { config?: FirmwareConfig };
  return manifest.config ?? {};
}

export function firmwareConfig(overrides: FirmwareConfig = {}): FirmwareConfig {
  return {
    ...manifestConfig(join(ROOT, "manifest.json")),
    ...manifestConfig(join(ROOT, "hosts/sim/manifest.json")),
    ...overrides,
  };
}
