/*
 * Shared helpers for the MQTT codec tests (not a test file itself).
 *
 * Vector rows follow mqtt-packet's "minimal connect" style: a name, the packet
 * object and its exact bytes, each field commented. One row drives three
 * checks: decoding the bytes gives the packet, encoding the packet gives the
 * bytes, and the packet survives a round trip (also through PacketReader).
 */

import assert from "node:assert/strict";
import { it } from "node:test";

import { decodePacket } from "../../../src/mqtt/decoder";
import { encode } from "../../../src/mqtt/encoder";
import { MalformedPacketError, type MalformedReason } from "../../../src/mqtt/errors";
import type { Packet } from "../../../src/mqtt/packets";
import { PacketReader } from "../../../src/mqtt/reader";

export interface Vector {
  name: string;
  packet: Packet;
  bytes: number[];
}

export interface Rejection {
  name: string;
  bytes: number[];
  reason: MalformedReason;
}

export interface EncoderCase {
  name: string;
  /** Deliberately ill-typed packets are built with `bad(...)`. */
  packet: Packet;
  error: typeof TypeError | typeof RangeError;
  /** The field the message must name, e.g. "publish.qos". */
  field: string;
}

/** A packet the type system would refuse, for encoder validation cases. */
export function bad(value: Record<string, unknown>): Packet {
  return value as unknown as Packet;
}

/** ASCII / UTF-8 bytes of a string, for building large or generated inputs (not for vector tables). */
export function utf8Bytes(text: string): number[] {
  return Array.from(Buffer.from(text, "utf8"));
}

export function bin(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The Remaining Length field for `length` (2.2.3), written independently of the encoder. */
export function remainingLength(length: number): number[] {
  const out: number[] = [];
  do {
    let digit = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) digit |= 0x80;
    out.push(digit);
  } while (length > 0);
  return out;
}

/** Splits whole-packet bytes into fixed header byte 1 and the body, checking the Remaining Length. */
export function splitFrame(bytes: Uint8Array): { first: number; body: Uint8Array } {
  let length = 0;
  let multiplier = 1;
  let offset = 1;
  for (;;) {
    assert.ok(offset < bytes.length, "frame ends inside the Remaining Length");
    const digit = bytes[offset++];
    length += (digit & 0x7f) * multiplier;
    multiplier *= 128;
    if ((digit & 0x80) === 0) break;
  }
  assert.equal(bytes.length - offset, length, "Remaining Length does not match the bytes that follow");
  return { first: bytes[0], body: bytes.subarray(offset) };
}

/** Decodes one whole packet with decodePacket. */
export function decodeFrame(bytes: Uint8Array): Packet {
  const { first, body } = splitFrame(bytes);
  return decodePacket(first, body);
}

/** Every packet PacketReader yields for `chunks`, which must end on a packet boundary. */
export function readAll(chunks: Uint8Array[], reader = new PacketReader()): Packet[] {
  const packets: Packet[] = [];
  for (const chunk of chunks) reader.push(chunk, (packet) => packets.push(packet));
  assert.equal(reader.idle, true, "reader holds a partial packet after the last chunk");
  return packets;
}

/** Runs `fn` and returns the MalformedPacketError it throws, failing if it throws anything else or nothing. */
export function catchMalformed(fn: () => unknown): MalformedPacketError {
  try {
    fn();
  }
  catch (error) {
    assert.ok(error instanceof MalformedPacketError, `expected MalformedPacketError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected MalformedPacketError, nothing was thrown");
}

/** Asserts decodePacket and PacketReader (whole chunk and byte by byte) refuse `bytes` for `reason`. */
export function assertMalformed(bytes: Uint8Array, reason: MalformedReason): MalformedPacketError {
  const { first, body } = splitFrame(bytes);
  const error = catchMalformed(() => decodePacket(first, body));
  assert.equal(error.reason, reason, `reason: ${error.message}`);

  const whole = catchMalformed(() => new PacketReader().push(bytes, () => assert.fail("no packet expected")));
  assert.equal(whole.reason, reason);
  const reader = new PacketReader();
  const byByte = catchMalformed(() => {
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1), () => assert.fail("no packet expected"));
  });
  assert.equal(byByte.reason, reason);
  return error;
}

/** Registers the three checks for each vector row. */
export function vectorTests(rows: readonly Vector[]): void {
  for (const row of rows) {
    const bytes = new Uint8Array(row.bytes);
    it(`${row.name}: decode(bytes) equals the packet`, () => {
      assert.deepStrictEqual(decodeFrame(bytes), row.packet);
      assert.deepStrictEqual(readAll([bytes]), [row.packet]);
    });
    it(`${row.name}: encode(packet) equals the bytes`, () => {
      const encoded = encode(row.packet);
      assert.ok(encoded instanceof Uint8Array);
      assert.deepStrictEqual(Array.from(encoded), row.bytes);
    });
    it(`${row.name}: round trip`, () => {
      assert.deepStrictEqual(decodeFrame(encode(row.packet)), row.packet);
      const decoded = decodeFrame(bytes);
      assert.deepStrictEqual(Array.from(encode(decoded)), row.bytes);
    });
  }
}

/** Registers one test per rejection row. */
export function rejectionTests(rows: readonly Rejection[]): void {
  for (const row of rows) {
    it(`${row.name} -> ${row.reason}`, () => {
      assertMalformed(new Uint8Array(row.bytes), row.reason);
    });
  }
}

/** Asserts encode(packet) throws exactly `error` with `field` in the message. */
export function assertEncodeError(packet: Packet, error: typeof TypeError | typeof RangeError, field: string): void {
  let thrown: unknown;
  try {
    encode(packet);
  }
  catch (caught) {
    thrown = caught;
  }
  assert.ok(thrown instanceof Error, "encode did not throw");
  assert.equal(thrown.constructor, error, `expected ${error.name}, got ${thrown.constructor.name}: ${thrown.message}`);
  assert.ok(thrown.message.includes(field), `message ${JSON.stringify(thrown.message)} does not name ${field}`);
}

/** Registers one test per encoder validation case. */
export function encoderErrorTests(rows: readonly EncoderCase[]): void {
  for (const row of rows) {
    it(`${row.name} -> ${row.error.name} naming ${row.field}`, () => {
      assertEncodeError(row.packet, row.error, row.field);
    });
  }
}

/** Packet types other than PUBLISH with the flags Table 2.2 requires. */
export const fixedFlags = {
  connect: 0, connack: 0, puback: 0, pubrec: 0, pubrel: 2, pubcomp: 0,
  subscribe: 2, suback: 0, unsubscribe: 2, unsuback: 0, pingreq: 0, pingresp: 0, disconnect: 0,
} as const;

const codes = {
  connect: 1, connack: 2, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7,
  subscribe: 8, suback: 9, unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14,
} as const;

/**
 * For each listed type, every wrong low nibble (15 of them) is refused with
 * reason "flags" (2.2.2-2), both by decodePacket and by the reader as soon as
 * byte 1 arrives. `validBody` is a body that decodes with the right flags.
 */
export function wrongFlagTests(types: readonly (keyof typeof codes)[], validBody: (type: keyof typeof codes) => number[]): void {
  for (const type of types) {
    it(`${type}: every fixed header flag value but 0x${fixedFlags[type].toString(16)} -> flags (2.2.2-2)`, () => {
      const body = validBody(type);
      const good = new Uint8Array([(codes[type] << 4) | fixedFlags[type], ...remainingLength(body.length), ...body]);
      assert.equal(decodeFrame(good).type, type);
      for (let flags = 0; flags < 16; flags++) {
        if (flags === fixedFlags[type]) continue;
        const bytes = new Uint8Array([(codes[type] << 4) | flags, ...remainingLength(body.length), ...body]);
        const error = assertMalformed(bytes, "flags");
        assert.equal(error.packetType, type);
        // The reader refuses at byte 1, before any length byte arrives.
        const early = catchMalformed(() => new PacketReader().push(bytes.subarray(0, 1), () => assert.fail("no packet expected")));
        assert.equal(early.reason, "flags");
      }
    });
  }
}

