/*
 * What the bench firmwares on the XS host share: their trace lines to the
 * bench ("BENCH <what> ..."), a step on a later delivery, and a heap reading
 * at a quiet point.
 *
 * XS collects only when an allocation finds no room, so the slot count a
 * delivery reports includes whatever garbage piled up since the last
 * collection. To read the live heap, `markHeap` allocates `pressure` 8 MiB
 * ArrayBuffers (few slots, much chunk space, more than the engine holds in
 * reserve), which forces compacting collections, and traces
 * "BENCH heap <label>" in the same delivery; the host takes that
 * delivery's meter. Beyond the live heap it then holds only the slots of
 * the buffers allocated after the last collection and of the trace call,
 * the same at every reading. (A WeakRef cannot confirm the collection here:
 * xsnap's allocation-triggered collections keep WeakRef targets, for
 * determinism. The host confirms it from the reserve instead: it stays
 * below the garbage allocated.)
 */

import { deviceTimers } from "../../src/app/device-timers";

/** A line for the bench (tools/bench/xs-meter.ts benchLines). */
export function mark(text: string): void {
  trace(`BENCH ${text}\n`);
}

/** Runs `step` in a later delivery (a timer event from the host). */
export function later(step: () => void): void {
  deviceTimers.set(step, 0);
}

/** Holds the newest pressure buffer only; each assignment turns the previous one into garbage. */
const held: (ArrayBuffer | undefined)[] = [undefined];

export function markHeap(label: string, pressure: number): void {
  for (let i = 0; i < pressure; i++) held[0] = new ArrayBuffer(8 << 20);
  held[0] = undefined;
  mark(`heap ${label}`);
}
