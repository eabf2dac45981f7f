/*
 * Starts a simulated device: the firmware in a child process on the Node host
 * or the XS host. Used by `npm start` and the tests. Killing the child is
 * pulling the device's power; when the firmware restarts the device
 * (System.restart(), the host exits with RESTART_EXIT_CODE), the device is
 * started again on the same storage, as a board reboots.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { FirmwareConfig } from "./config";
import { ROOT } from "./firmware-modules";
import { hostArgs, RESTART_EXIT_CODE } from "./host-args";

export type HostName = "node" | "xs";
export const HOSTS: readonly HostName[] = ["node", "xs"];

export interface LaunchOptions {
  host: HostName;
  /** The device's flash and NVS. */
  storage: string;
  /** Overrides of manifest config, e.g. {broker: "mqtt://127.0.0.1:1883"}. */
  config: FirmwareConfig;
  /** The device's clocks run this many times faster (sim/node/time-scale.ts). */
  timeScale?: number;
  /** The simulated network's hosts file, consulted before DNS (sim/node/modules/net.ts). */
  hosts?: string;
}

function spawnHost(options: LaunchOptions): ChildProcess {
  const boot = join(ROOT, "sim", options.host, "boot.ts");
  return spawn(process.execPath, ["--import", "tsx", boot, ...hostArgs({ storage: options.storage, config: options.config, timeScale: options.timeScale, hosts: options.hosts })], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
}

export interface DeviceEvents {
  /** Each line the firmware (or its host) prints, stdout and stderr. */
  onLine?(line: string): void;
  /** The device restarted itself and is booting again. */
  onRestart?(): void;
  /** The device stopped for good (killed, crashed or exited). */
  onExit?(code: number | null, signal: NodeJS.Signals | null): void;
}

/** A simulated device that keeps running across the reboots it asks for. */
export class SimulatedDevice {
  #child: ChildProcess;
  #stopped = false;
  readonly #options: LaunchOptions;
  readonly #events: DeviceEvents;
  /** Boots so far (1 + restarts). */
  boots = 0;

  constructor(options: LaunchOptions, events: DeviceEvents = {}) {
    this.#options = options;
    this.#events = events;
    this.#child = this.#boot();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends a control message to the host (sim/devices/control.ts). */
  control(message: object): void {
    if (this.#child.connected) this.#child.send(message);
  }

  /** Pulls the power: SIGKILL, no goodbye. Or `signal`. */
  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.#stopped = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
  }

  #boot(): ChildProcess {
    this.boots++;
    const child = spawnHost(this.#options);
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on("line", (line) => this.#events.onLine?.(line));
    child.once("exit", (code, signal) => {
      if (code === RESTART_EXIT_CODE && !this.#stopped) {
        this.#child = this.#boot();
        this.#events.onRestart?.();
        return;
      }
      this.#events.onExit?.(code, signal);
    });
    return child;
  }
}
