/*
 * A simulated device for tests: the firmware in a child process on the Node
 * or XS host (sim/launch.ts), rebooting when it asks to, with its output
 * collected line by line.
 */

import { type HostName, SimulatedDevice } from "../../sim/launch";
import { temporaryDirectory } from "./brokers";

export interface DeviceOptions {
  /** The device's clocks run this many times faster. */
  timeScale?: number;
  /** The simulated network's hosts file, consulted before DNS (sim/node/modules/net.ts). */
  hosts?: string;
}

export class Device {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly storage: string;
  readonly #device: SimulatedDevice;
  #running = true;
  #waiters: (() => void)[] = [];

  constructor(host: HostName, config: Record<string, unknown>, storage = temporaryDirectory(`device-${host}`), options: DeviceOptions = {}) {
    this.storage = storage;
    let exited: (result: { code: number | null; signal: NodeJS.Signals | null }) => void = () => undefined;
    this.exited = new Promise((resolve) => { exited = resolve; });
    this.#device = new SimulatedDevice({ host, storage, config, timeScale: options.timeScale, hosts: options.hosts }, {
      onLine: (line) => {
        this.lines.push(line);
        if (process.env.DEVICE_LOG) process.stderr.write(`[${host}] ${line}\n`);
        this.#wake();
      },
      onExit: (code, signal) => {
        this.#running = false;
        exited({ code, signal });
        this.#wake();
      },
    });
  }

  /** Times the device booted (1 + the restarts it asked for). */
  get boots(): number {
    return this.#device.boots;
  }

  /** Waits for an output line matching `pattern`, seen already or to come. */
  async waitForLine(pattern: RegExp, timeout = 15_000, after = 0): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.lines.slice(after).find((line) => pattern.test(line));
      if (found) return found;
      if (!this.#running) throw new Error(`device exited before printing ${pattern}; output:\n${this.lines.join("\n")}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; output:\n${this.lines.join("\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Sends a control message to the host (sim/devices/control.ts). */
  control(message: object): void {
    this.#device.control(message);
  }

  /** Pulls the power: SIGKILL, no goodbye. */
  async kill(): Promise<void> {
    this.#device.kill();
    await this.exited;
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
