/*
 * A simulated device for tests: the firmware in a child process on the Node
 * or XS host (sim/launch.ts), with its output collected line by line.
 */

import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { type HostName, launchFirmware } from "../../sim/launch";
import { temporaryDirectory } from "./brokers";

export class Device {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly storage: string;
  #waiters: (() => void)[] = [];

  constructor(host: HostName, config: Record<string, unknown>, storage = temporaryDirectory(`device-${host}`)) {
    this.storage = storage;
    this.child = launchFirmware({ host, storage, config });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        this.lines.push(line);
        if (process.env.DEVICE_LOG) process.stderr.write(`[${host}] ${line}\n`);
        for (const wake of this.#waiters.splice(0)) wake();
      });
    }
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => {
      resolve({ code, signal });
      for (const wake of this.#waiters.splice(0)) wake();
    }));
  }

  /** Waits for an output line matching `pattern`. */
  async waitForLine(pattern: RegExp, timeout = 15_000): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.lines.find((line) => pattern.test(line));
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`device exited before printing ${pattern}; output:\n${this.lines.join("\n")}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; output:\n${this.lines.join("\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Sends a control message to the host (see sim/node/boot.ts). */
  control(message: object): void {
    this.child.send?.(message);
  }

  /** Pulls the power: SIGKILL, no goodbye. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}
