/*
 * Starts a simulated device: the firmware in a child process on the Node host
 * or the XS host. Used by `npm start` and the tests. Killing the child is
 * pulling the device's power.
 */

import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { join } from "node:path";
import type { FirmwareConfig } from "./config";
import { ROOT } from "./firmware-modules";
import { hostArgs } from "./host-args";

export type HostName = "node" | "xs";
export const HOSTS: readonly HostName[] = ["node", "xs"];

export interface LaunchOptions {
  host: HostName;
  /** The device's flash and NVS. */
  storage: string;
  /** Overrides of manifest config, e.g. {broker: "mqtt://127.0.0.1:1883"}. */
  config: FirmwareConfig;
  stdio?: StdioOptions;
}

export function launchFirmware(options: LaunchOptions): ChildProcess {
  const boot = join(ROOT, "sim", options.host, "boot.ts");
  return spawn(process.execPath, ["--import", "tsx", boot, ...hostArgs({ storage: options.storage, config: options.config })], {
    cwd: ROOT,
    stdio: options.stdio ?? ["ignore", "pipe", "pipe", "ipc"],
  });
}
