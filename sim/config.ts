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

/**
 * `mc/config` for an image from an update slot: the config it was built with,
 * under the device's own settings (the host's overrides: broker, device id,
 * ...), except the keys the image pins (its version, its update trust, and
 * what its release set on purpose).
 */
export function imageConfig(built: FirmwareConfig, pinned: readonly string[], overrides: FirmwareConfig = {}): FirmwareConfig {
  const device = Object.fromEntries(Object.entries(overrides).filter(([key]) => !pinned.includes(key)));
  return { ...built, ...device };
}
