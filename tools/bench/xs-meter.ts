/*
 * What the XS benchmarks share: the bench firmware's trace split into lines,
 * and the engine's meter of every delivery (an event the host hands to the
 * engine), seen as each delivery returns. See tools/bench/xs.ts for what the
 * meter's figures mean.
 */

import type { XSHost } from "../../sim/xs/bridge-host";
import type { Meter } from "../../sim/xs/worker";

/** A `trace` receiver that calls `onLine` with each complete line. */
export function traceLines(onLine: (line: string) => void): (text: string) => void {
  let partial = "";
  return (text) => {
    partial += text;
    let newline: number;
    while ((newline = partial.indexOf("\n")) >= 0) {
      onLine(partial.slice(0, newline));
      partial = partial.slice(newline + 1);
    }
  };
}

/** A line handler for a bench firmware's trace: "BENCH <what> <rest>" lines go to `onBench`, any other line is shown as the firmware's. */
export function benchLines(progress: { line(text: string): void }, onBench: (what: string, rest: string) => void): (line: string) => void {
  return (line) => {
    const match = /^BENCH (\S+) ?(.*)$/.exec(line);
    if (match) onBench(match[1], match[2]);
    else if (line.trim()) progress.line(`firmware: ${line}`);
  };
}

/** Calls `onMeter` after every delivery to the host's engine with its meter. */
export function meterDeliveries(host: XSHost, onMeter: (meter: Meter) => void): void {
  const worker = host.worker;
  const command = worker.command.bind(worker);
  worker.command = async (message: Uint8Array) => {
    const result = await command(message);
    onMeter(result.meter);
    return result;
  };
}

/** Runs the bench firmware until `finished` settles, or fails after `limitMs`; stops the host either way. */
export async function runBenchFirmware(host: XSHost, finished: Promise<void>, limitMs: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${name} did not finish within ${limitMs / 60_000} minutes`)), limitMs); });
  try {
    await host.start();
    await Promise.race([finished, limit]);
  }
  finally {
    clearTimeout(timer);
    host.stop();
  }
}

/** Bytes per heap slot of the 64-bit xsnap worker (txSlot: four 8-byte words). */
export const SLOT_BYTES = 32;
/** 8 MiB buffers of garbage a bench firmware allocates at a checkpoint to force a collection (64 MiB). */
export const PRESSURE_BUFFERS = 8;
export const PRESSURE_BYTES = PRESSURE_BUFFERS * 8 * 2 ** 20;
