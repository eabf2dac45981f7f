/*
 * Drives an xsnap worker process (the XS engine @agoric/xsnap builds on
 * install) over its netstring protocol on file descriptors 3 (to the worker)
 * and 4 (from it), without @agoric/xsnap's Node API, which needs SES lockdown
 * of the whole process.
 *
 * Protocol (xsnap-worker.c): we send `m<path>` (run a module file) or
 * `?<bytes>` (call globalThis.handleCommand); while it runs the worker may
 * send `?<bytes>` (issueCommand), answered with `/<bytes>`; it finishes with
 * `.<meter JSON>\x01<reply>` or `!<error>`.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** Deterministic figures the worker reports with every reply. */
export interface Meter {
  /** XS's instruction meter for the delivery. */
  compute: number;
  /** Heap slots in use. */
  currentHeapCount: number;
  /** Bytes allocated by the machine so far. */
  allocate: number;
}

export class WorkerCrash extends Error {}

export function workerBinary(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("@agoric/xsnap/package.json"));
  const path = join(root, "xsnap-native/xsnap/build/bin/lin/release/xsnap-worker");
  if (!existsSync(path)) throw new Error(`XS host: ${path} is missing; run \`npm rebuild @agoric/xsnap\` (needs make and gcc)`);
  return path;
}

interface Delivery {
  resolve(result: { reply: Uint8Array; meter: Meter }): void;
  reject(error: Error): void;
}

export interface WorkerOptions {
  /** Answers the worker's issueCommand calls; runs synchronously. */
  onQuery(message: Uint8Array): Uint8Array;
  /** Where the worker's stdout/stderr go. */
  stdio?: "inherit" | "ignore" | "pipe";
}

export class XSWorker {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  #input: Writable;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: Delivery | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #onQuery: (message: Uint8Array) => Uint8Array;
  lastMeter: Meter | undefined;

  constructor(options: WorkerOptions) {
    this.#onQuery = options.onQuery;
    const stdio = options.stdio ?? "inherit";
    this.process = spawn(workerBinary(), ["firmware"], { stdio: ["ignore", stdio, stdio, "pipe", "pipe"] });
    this.#input = this.process.stdio[3] as Writable;
    const output = this.process.stdio[4] as Readable;
    output.on("data", (chunk: Buffer) => this.#receive(chunk));
    this.#input.on("error", () => { /* the exit handler reports */ });
    this.exited = new Promise((resolve) => {
      this.process.on("exit", (code, signal) => {
        this.#pending?.reject(new WorkerCrash(`XS worker exited (${signal ?? `code ${code}`})`));
        this.#pending = undefined;
        resolve(code);
      });
    });
  }

  /** Runs an ES module file in the worker. */
  runModule(path: string): Promise<{ reply: Uint8Array; meter: Meter }> {
    return this.#deliver(Buffer.from(`m${path}`));
  }

  /** Calls globalThis.handleCommand(message) in the worker. */
  command(message: Uint8Array): Promise<{ reply: Uint8Array; meter: Meter }> {
    return this.#deliver(Buffer.concat([Buffer.from("?"), message]));
  }

  kill(): void {
    this.process.kill("SIGKILL");
  }

  #deliver(message: Buffer): Promise<{ reply: Uint8Array; meter: Meter }> {
    const run = this.#queue.then(() => new Promise<{ reply: Uint8Array; meter: Meter }>((resolve, reject) => {
      if (this.process.exitCode !== null || this.process.signalCode !== null) return reject(new WorkerCrash("XS worker has exited"));
      this.#pending = { resolve, reject };
      this.#write(message);
    }));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #write(message: Buffer): void {
    this.#input.write(Buffer.concat([Buffer.from(`${message.length}:`), message, Buffer.from(",")]));
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.#buffer.subarray(0, colon).toString());
      const end = colon + 1 + length;
      if (this.#buffer.length < end + 1) return;
      const message = this.#buffer.subarray(colon + 1, end);
      this.#buffer = this.#buffer.subarray(end + 1);
      this.#handle(message);
    }
  }

  #handle(message: Buffer): void {
    const kind = message[0];
    if (kind === 0x3f /* ? */) {
      let reply: Uint8Array;
      try {
        reply = this.#onQuery(message.subarray(1));
      }
      catch (error) {
        // A bug on the host side: stop the machine rather than answer wrongly.
        this.kill();
        throw error;
      }
      this.#write(Buffer.concat([Buffer.from("/"), reply]));
      return;
    }
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return;
    if (kind === 0x2e /* . */) {
      const separator = message.indexOf(1, 1);
      const meter = separator > 0 ? JSON.parse(message.subarray(1, separator).toString()) as Meter : undefined;
      if (meter) this.lastMeter = meter;
      pending.resolve({ reply: message.subarray(separator > 0 ? separator + 1 : 1), meter: meter ?? { compute: 0, currentHeapCount: 0, allocate: 0 } });
    }
    else pending.reject(new WorkerCrash(`uncaught exception in the firmware on XS: ${message.subarray(1).toString() || "(see the worker's stderr)"}`));
  }
}
