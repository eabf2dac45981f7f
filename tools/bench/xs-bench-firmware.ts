/*
 * For the bench firmwares on the XS host: a heap reading at a quiet point.
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

/** Holds the newest pressure buffer only; each assignment turns the previous one into garbage. */
const held: (ArrayBuffer | undefined)[] = [undefined];

export function markHeap(label: string, pressure: number): void {
  for (let i = 0; i < pressure; i++) held[0] = new ArrayBuffer(8 << 20);
  held[0] = undefined;
  trace(`BENCH heap ${label}\n`);
}
