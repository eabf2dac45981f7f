/*
 * Fuzzing PacketReader (not a test file itself; codec-fuzz.test.ts runs it in
 * a worker so that a hang can be detected and stopped).
 *
 * Streams are random bytes or mutations of valid encodings (bit flips,
 * truncation, insertion, deletion, byte overwrites, splices, Remaining Length
 * corruption), fed in random chunkings. Every stream must end in packets
 * (perhaps with a partial one still pending) or a MalformedPacketError; any
 * other exception is a failure. Every packet the reader yields must re-encode
 * and decode to itself, and a failed reader must stay failed.
 */

import { isDeepStrictEqual } from "node:util";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

import fc from "fast-check";

import { decodePacket } from "../../../src/mqtt/decoder";
import { encode } from "../../../src/mqtt/encoder";
import { MalformedPacketError } from "../../../src/mqtt/errors";
import type { Packet } from "../../../src/mqtt/packets";
import { PacketReader } from "../../../src/mqtt/reader";
import { packetArbitrary } from "./arbitraries";
import { randomChunks, seededRandom } from "./random";

export type Outcome = "packets" | "incomplete" | "malformed";

export interface FuzzFailure {
  problem: string;
  kind: string;
  stream: string; // hex
  chunkSizes: number[];
  maxPacketSize: number | undefined;
}

export interface FuzzReport {
  runs: number;
  seed: number;
  outcomes: Record<Outcome, number>;
  packetsDecoded: number;
  reasons: Record<string, number>;
  kinds: Record<string, Record<Outcome, number>>;
  failure?: FuzzFailure;
}

export type WorkerMessage =
  | { kind: "progress"; done: number }
  | { kind: "report"; report: FuzzReport };

/** First bytes of real packets, so random streams often get past byte 1 (as in mqtt-packet's testRandom.js). */
const FIRST_BYTES = [
  0x10, 0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x38, 0x3a, 0x3d, 0x36, 0x40, 0x50, 0x62, 0x70,
  0x82, 0x90, 0xa2, 0xb0, 0xc0, 0xd0, 0xe0, 0x00, 0xf0,
];
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xbf, 0xc0, 0xc1, 0xed, 0xef, 0xf4, 0xf5, 0xfe, 0xff, 0x23, 0x2b, 0x2f];

const MUTATIONS = ["random", "valid", "bitflip", "truncate", "insert", "delete", "overwrite", "length", "splice"] as const;
type Mutation = (typeof MUTATIONS)[number];

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Offsets of each packet's Remaining Length in a concatenation of `sizes`-byte valid packets. */
function lengthFieldOffsets(stream: Uint8Array, count: number): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < count && at < stream.length; i++) {
    offsets.push(at + 1);
    let length = 0, multiplier = 1, p = at + 1;
    for (;;) {
      const digit = stream[p++];
      length += (digit & 0x7f) * multiplier;
      multiplier *= 128;
      if ((digit & 0x80) === 0) break;
    }
    at = p + length;
  }
  return offsets;
}

/** Random and mutated broker byte streams (also used to fuzz the client). */
export function streamSource(seed: number) {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];

  // A pool of valid encodings; a few large ones, mostly small so 100k streams stay fast.
  const pool: Uint8Array[] = [];
  let large = 0;
  for (const packet of fc.sample(packetArbitrary(), { seed, numRuns: 600 })) {
    const bytes = encode(packet);
    if (bytes.length > 4096 && ++large > 4) continue;
    pool.push(bytes);
  }

  function validStream(): { bytes: Uint8Array; count: number } {
    const count = 1 + int(3);
    const parts: Uint8Array[] = [];
    let length = 0;
    for (let i = 0; i < count; i++) {
      const part = pick(pool);
      parts.push(part);
      length += part.length;
    }
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return { bytes, count };
  }

  function randomBytes(length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = random() < 0.3 ? pick(INTERESTING) : int(256);
    return bytes;
  }

  function makeStream(kind: Mutation): Uint8Array {
    if (kind === "random") {
      const bytes = randomBytes(random() < 0.9 ? int(64) : int(512));
      if (bytes.length > 0 && random() < 0.8) bytes[0] = pick(FIRST_BYTES);
      if (bytes.length > 1 && random() < 0.5) bytes[1] = int(bytes.length); // a plausible Remaining Length
      return bytes;
    }
    const { bytes, count } = validStream();
    switch (kind) {
      case "valid":
        return bytes;
      case "bitflip": {
        const flips = 1 + int(4);
        for (let i = 0; i < flips; i++) {
          // Aim at headers half of the time: that is where the rules are.
          const at = random() < 0.5 ? int(Math.min(bytes.length, 16)) : int(bytes.length);
          bytes[at] ^= 1 << int(8);
        }
        return bytes;
      }
      case "truncate":
        return bytes.subarray(0, int(bytes.length));
      case "insert": {
        const at = int(bytes.length + 1);
        const extra = randomBytes(1 + int(8));
        const out = new Uint8Array(bytes.length + extra.length);
        out.set(bytes.subarray(0, at));
        out.set(extra, at);
        out.set(bytes.subarray(at), at + extra.length);
        return out;
      }
      case "delete": {
        const at = int(bytes.length);
        const n = Math.min(1 + int(8), bytes.length - at);
        const out = new Uint8Array(bytes.length - n);
        out.set(bytes.subarray(0, at));
        out.set(bytes.subarray(at + n), at);
        return out;
      }
      case "overwrite": {
        const n = 1 + int(4);
        for (let i = 0; i < n; i++) bytes[int(bytes.length)] = pick(INTERESTING);
        return bytes;
      }
      case "length": {
        const offsets = lengthFieldOffsets(bytes, count);
        const at = pick(offsets);
        const style = int(5);
        if (style === 0) bytes[at] = int(256); // any value, continuation bit or not
        else if (style === 1) bytes[at] = (bytes[at] + 1 + int(3)) & 0xff; // a little longer
        else if (style === 2) bytes[at] = (bytes[at] - 1 - int(3)) & 0xff; // a little shorter
        else if (style === 3) bytes[at] |= 0x80; // continuation into the body
        else {
          // A run of continuation bytes: four and more is a five-byte Remaining Length.
          const run = 2 + int(4);
          const out = new Uint8Array(bytes.length + run);
          out.set(bytes.subarray(0, at));
          out.fill(0x80 | int(128), at, at + run);
          out.set(bytes.subarray(at), at + run);
          return out;
        }
        return bytes;
      }
      case "splice": {
        const other = pick(pool);
        const cut = int(bytes.length + 1);
        const from = int(other.length + 1);
        const out = new Uint8Array(cut + other.length - from);
        out.set(bytes.subarray(0, cut));
        out.set(other.subarray(from), cut);
        return out;
      }
    }
  }

  return { random, int, makeStream, kinds: MUTATIONS };
}

export function runFuzz(runs: number, seed: number, onProgress?: (done: number) => void): FuzzReport {
  const { random, int, makeStream } = streamSource(seed);
  const report: FuzzReport = {
    runs, seed,
    outcomes: { packets: 0, incomplete: 0, malformed: 0 },
    packetsDecoded: 0,
    reasons: {},
    kinds: {},
  };

  const failed = (problem: string, kind: string, stream: Uint8Array, chunks: Uint8Array[], maxPacketSize: number | undefined): FuzzReport => {
    report.failure = { problem, kind, stream: hex(stream), chunkSizes: chunks.map((c) => c.length), maxPacketSize };
    return report;
  };

  const afterFailure = new Uint8Array([0xc0, 0x00]); // a valid PINGREQ

  for (let run = 0; run < runs; run++) {
    if (onProgress && run % 5000 === 0) onProgress(run);
    const kind = MUTATIONS[run % MUTATIONS.length];
    const stream = makeStream(kind);
    const chunks = randomChunks(stream, random);
    // Mostly a realistic limit: with the default (the largest packet MQTT allows) a corrupted
    // Remaining Length makes the reader allocate up to 256 MB, which only costs time here.
    const limit = random();
    const maxPacketSize = limit < 0.1 ? 2 + int(200) : limit < 0.97 ? 70_000 : undefined;
    const reader = new PacketReader(maxPacketSize === undefined ? {} : { maxPacketSize });

    let problem: string | undefined;
    let count = 0;
    const onPacket = (packet: Packet): void => {
      count++;
      if (problem) return;
      // Whatever the decoder accepts, the encoder must accept and reproduce.
      try {
        const again = encode(packet);
        let at = 1;
        while (again[at] & 0x80) at++;
        const decoded = decodePacket(again[0], again.subarray(at + 1));
        if (!isDeepStrictEqual(decoded, packet)) problem = `re-encoded ${packet.type} decodes differently`;
      }
      catch (error) {
        problem = `decoded ${packet.type} does not re-encode: ${String(error)}`;
      }
    };

    let outcome: Outcome;
    try {
      for (const chunk of chunks) reader.push(chunk, onPacket);
      outcome = reader.idle ? "packets" : "incomplete";
    }
    catch (error) {
      if (!(error instanceof MalformedPacketError)) {
        return failed(`threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, kind, stream, chunks, maxPacketSize);
      }
      outcome = "malformed";
      report.reasons[error.reason] = (report.reasons[error.reason] ?? 0) + 1;
      // The reader stays failed and keeps throwing the same error.
      let again: unknown;
      try {
        reader.push(afterFailure, onPacket);
      }
      catch (caught) {
        again = caught;
      }
      if (again !== error) return failed("reader did not stay failed", kind, stream, chunks, maxPacketSize);
    }
    if (problem) return failed(problem, kind, stream, chunks, maxPacketSize);

    report.packetsDecoded += count;
    report.outcomes[outcome]++;
    const perKind = (report.kinds[kind] ??= { packets: 0, incomplete: 0, malformed: 0 });
    perKind[outcome]++;
  }
  onProgress?.(runs);
  return report;
}

// Worker entry: run with the parameters given and post the report.
if (!isMainThread && parentPort && (workerData as { fuzz?: unknown } | undefined)?.fuzz) {
  const { runs, seed } = workerData as { runs: number; seed: number };
  const port = parentPort;
  const report = runFuzz(runs, seed, (done) => port.postMessage({ kind: "progress", done } satisfies WorkerMessage));
  port.postMessage({ kind: "report", report } satisfies WorkerMessage);
}
