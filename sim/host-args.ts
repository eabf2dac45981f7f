/*
 * Command line of a simulator host process (sim/node/boot.ts, sim/xs/boot.ts):
 *
 *   --storage DIR      the device's flash and NVS (created if missing)
 *   --config JSON      overrides of manifest config, e.g. {"broker":"mqtt://127.0.0.1:1883"}
 *   --time-scale N     the device's clocks run N times faster (sim/node/time-scale.ts)
 *   --hosts FILE       the simulated network's hosts file, consulted before DNS (sim/node/modules/net.ts)
 *
 * Tests and `npm start` build these with `hostArgs()`.
 */

import type { FirmwareConfig } from "./config";

/** A host process exits with this when the firmware restarts the device (System.restart()); the launcher starts it again. */
export const RESTART_EXIT_CODE = 75;

export interface HostArgs {
  storage: string;
  config: FirmwareConfig;
  timeScale?: number;
  hosts?: string;
}

export function hostArgs(args: HostArgs): string[] {
  const out = ["--storage", args.storage, "--config", JSON.stringify(args.config)];
  if (args.timeScale !== undefined && args.timeScale !== 1) out.push("--time-scale", String(args.timeScale));
  if (args.hosts) out.push("--hosts", args.hosts);
  return out;
}

export function parseHostArgs(argv: string[]): HostArgs {
  let storage: string | undefined;
  let config: FirmwareConfig = {};
  let timeScale = 1;
  let hosts: string | undefined;
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
      case "--time-scale":
        timeScale = Number(value);
        if (!(timeScale > 0)) throw new Error("--time-scale needs a positive number");
        i++;
        break;
      case "--hosts":
        if (!value) throw new Error("--hosts needs a file");
        hosts = value;
        i++;
        break;
      default:
        throw new Error(`unknown host option ${argv[i]}`);
    }
  }
  if (!storage) throw new Error("--storage is required");
  return { storage, config, timeScale, hosts };
}
