/*
 * Command line of a simulator host process (sim/node/boot.ts, sim/xs/boot.ts):
 *
 *   --storage DIR      the device's flash and NVS (created if missing)
 *   --config JSON      overrides of manifest config, e.g. {"broker":"mqtt://127.0.0.1:1883"}
 *
 * Tests and `npm start` build these with `hostArgs()`.
 */

import type { FirmwareConfig } from "./config";

export interface HostArgs {
  storage: string;
  config: FirmwareConfig;
}

export function hostArgs(args: HostArgs): string[] {
  return ["--storage", args.storage, "--config", JSON.stringify(args.config)];
}

export function parseHostArgs(argv: string[]): HostArgs {
  let storage: string | undefined;
  let config: FirmwareConfig = {};
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case "--storage":
        if (!value) throw new Error("--storage needs a folder");
        storage = value;
        i++;
        break;
      case "--config":
        if (!value) throw new Error("--config needs a JSON object");
        config = JSON.parse(value) as FirmwareConfig;
        i++;
        break;
      default:
        throw new Error(`unknown host option ${argv[i]}`);
    }
  }
  if (!storage) throw new Error("--storage is required");
  return { storage, config };
}
