/*
 * PUBLISH and its acknowledgements PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 3.1.1
 * sections 3.3 to 3.7): exact-byte vectors, Remaining Length boundaries,
 * every decoder rejection rule and every encoder validation for them.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MAX_REMAINING_LENGTH } from "../../../src/mqtt/constants";
import { decodePacket } from "../../../src/mqtt/decoder";
import { encode, encodeCheckedPublish } from "../../../src/mqtt/encoder";
import type { Packet, PublishPacket } from "../../../src/mqtt/packets";
import { PacketReader } from "../../../src/mqtt/reader";
import {
  bad, bin, decodeFrame, encoderErrorTests, readAll, rejectionTests, remainingLength, splitFrame, vectorTests,
  wrongFlagTests, type EncoderCase, type Rejection, type Vector,
} from "./support";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A Uint8Array that claims `length` bytes without allocating them (the encoder must refuse it before copying). */
function claimsLength(length: number): Uint8Array {
  const fake = new Uint8Array(0);
  Object.defineProperty(fake, "length", { value: length });
  return fake;
}

describe("PUBLISH vectors (3.3)", () => {
  const rows: Vector[] = [
    {
      name: "minimal publish, QoS 0",
      packet: { type: "publish", topic: "test", payload: text("test"), qos: 0, retain: false, dup: false },
      bytes: [
        48, 10, // fixed header: PUBLISH, QoS 0; remaining length 10
        0, 4, // topic length
        116, 101, 115, 116, // topic "test"
        116, 101, 115, 116, // payload "test"
      ],
    },
    {
      name: "empty payload, QoS 0",
      packet: { type: "publish", topic: "test", payload: bin(), qos: 0, retain: false, dup: false },
      bytes: [
        48, 6, // fixed header; remaining length 6
        0, 4, 116, 101, 115, 116, // topic "test"
        // no payload
      ],
    },
    {
      name: "QoS 0 retained",
      packet: { type: "publish", topic: "a", payload: bin(1), qos: 0, retain: true, dup: false },
      bytes: [
        49, 4, // fixed header: PUBLISH, retain; remaining length 4
        0, 1, 97, // topic "a"
        1, // payload
      ],
    },
    {
      name: "QoS 1 retained, packet id 10",
      packet: { type: "publish", topic: "test", payload: text("test"), qos: 1, retain: true, dup: false, packetId: 10 },
      bytes: [
        51, 12, // fixed header: PUBLISH, QoS 1 (0x02), retain (0x01); remaining length 12
        0, 4, 116, 101, 115, 116, // topic "test"
        0, 10, // packet id 10
        116, 101, 115, 116, // payload "test"
      ],
    },
    {
      name: "QoS 1 dup, packet id 1",
      packet: { type: "publish", topic: "t", payload: bin(0, 0), qos: 1, retain: false, dup: true, packetId: 1 },
      bytes: [
        58, 7, // fixed header: PUBLISH, dup (0x08), QoS 1 (0x02); remaining length 7
        0, 1, 116, // topic "t"
        0, 1, // packet id 1
        0, 0, // payload 00 00
      ],
    },
    {
      name: "QoS 2, packet id 256",
      packet: { type: "publish", topic: "t", payload: bin(255), qos: 2, retain: false, dup: false, packetId: 256 },
      bytes: [
        52, 6, // fixed header: PUBLISH, QoS 2 (0x04); remaining length 6
        0, 1, 116, // topic "t"
        1, 0, // packet id 256
        255, // payload
      ],
    },
    {
      name: "QoS 2 dup retained, packet id 65535, empty payload",
      packet: { type: "publish", topic: "test", payload: bin(), qos: 2, retain: true, dup: true, packetId: 65535 },
      bytes: [
        61, 8, // fixed header: PUBLISH, dup 0x08, QoS 2 0x04, retain 0x01; remaining length 8
        0, 4, 116, 101, 115, 116, // topic "test"
        255, 255, // packet id 65535
      ],
    },
    {
      name: "multibyte topic: 2-, 3- and 4-byte UTF-8 levels",
      packet: { type: "publish", topic: "é/€/😀", payload: bin(), qos: 0, retain: false, dup: false },
      bytes: [
        48, 13, // fixed header; remaining length 13
        0, 11, // topic length 11 bytes
        0xc3, 0xa9, // "é" U+00E9
        47, // "/"
        0xe2, 0x82, 0xac, // "€" U+20AC
        47, // "/"
        0xf0, 0x9f, 0x98, 0x80, // "😀" U+1F600
      ],
    },
    {
      name: "topic with U+10FFFF and U+FEFF (kept, not stripped: 1.5.3-3)",
      packet: { type: "publish", topic: "\u{10FFFF}\uFEFF", payload: bin(), qos: 0, retain: false, dup: false },
      bytes: [
        48, 9, // fixed header; remaining length 9
        0, 7, // topic length 7
        0xf4, 0x8f, 0xbf, 0xbf, // U+10FFFF, the last code point
        0xef, 0xbb, 0xbf, // U+FEFF
      ],
    },
    {
      name: "topic '/' (two empty levels) and payload that looks like UTF-8 garbage",
      packet: { type: "publish", topic: "/", payload: bin(0xc0, 0xaf, 0xed, 0xa0, 0x80), qos: 0, retain: false, dup: false },
      bytes: [
        48, 8, // fixed header; remaining length 8
        0, 1, 47, // topic "/"
        0xc0, 0xaf, 0xed, 0xa0, 0x80, // payload is binary: never checked as UTF-8
      ],
    },
    {
      name: "$SYS topic (publishing to it is the server's business, 4.7.2)",
      packet: { type: "publish", topic: "$SYS/x", payload: bin(), qos: 0, retain: false, dup: false },
      bytes: [
        48, 8, // fixed header; remaining length 8
        0, 6, 36, 83, 89, 83, 47, 120, // topic "$SYS/x"
      ],
    },
    {
      name: "remaining length 127: last one-byte length",
      packet: { type: "publish", topic: "t", payload: new Uint8Array(124).fill(97), qos: 0, retain: false, dup: false },
      bytes: [
        48, 127, // fixed header; remaining length 127 in one byte
        0, 1, 116, // topic "t"
        ...new Array<number>(124).fill(97), // payload: 124 × "a"
      ],
    },
    {
      name: "remaining length 128: first two-byte length",
      packet: { type: "publish", topic: "t", payload: new Uint8Array(125).fill(97), qos: 0, retain: false, dup: false },
      bytes: [
        48, 0x80, 0x01, // fixed header; remaining length 128 = 0 + 1 × 128
        0, 1, 116, // topic "t"
        ...new Array<number>(125).fill(97), // payload: 125 × "a"
      ],
    },
    {
      name: "remaining length 321 (the standard's example: C1 02)",
      packet: { type: "publish", topic: "t", payload: new Uint8Array(316).fill(98), qos: 1, retain: false, dup: false, packetId: 2 },
      bytes: [
        50, 0xc1, 0x02, // fixed header: QoS 1; remaining length 321 = 65 + 2 × 128
        0, 1, 116, // topic "t"
        0, 2, // packet id 2
        ...new Array<number>(316).fill(98), // payload: 316 × "b"
      ],
    },
  ];
  vectorTests(rows);

  it("decoded payload is a view into the body, not a copy", () => {
    const bytes = new Uint8Array([48, 6, 0, 1, 116, 1, 2, 3]);
    const { first, body } = splitFrame(bytes);
    const packet = decodePacket(first, body) as PublishPacket;
    assert.equal(packet.payload.buffer, bytes.buffer);
    assert.equal(packet.payload.byteOffset, 5);
    assert.deepStrictEqual(packet.payload, bin(1, 2, 3));
  });

  it("encodes a payload that is an offset view or a Buffer by its contents", () => {
    const backing = bin(9, 9, 9, 1, 2, 3, 9);
    const view: PublishPacket = { type: "publish", topic: "t", payload: backing.subarray(3, 6), qos: 0, retain: false, dup: false };
    const buffer: PublishPacket = { ...view, payload: Buffer.from([1, 2, 3]) };
    assert.deepStrictEqual(Array.from(encode(view)), [48, 6, 0, 1, 116, 1, 2, 3]);
    assert.deepStrictEqual(Array.from(encode(buffer)), [48, 6, 0, 1, 116, 1, 2, 3]);
  });
});

describe("Remaining Length boundaries (2.2.3, Table 2.4)", () => {
  // PUBLISH "t" at QoS 0 spends 3 body bytes on the topic; the payload fills the rest.
  const cases: [remaining: number, header: number[]][] = [
    [0x3fff, [0xff, 0x7f]], // 16,383: last two-byte length
    [0x4000, [0x80, 0x80, 0x01]], // 16,384: first three-byte length
    [0x1fffff, [0xff, 0xff, 0x7f]], // 2,097,151: last three-byte length
    [0x200000, [0x80, 0x80, 0x80, 0x01]], // 2,097,152: first four-byte length
  ];
  for (const [remaining, header] of cases) {
    it(`remaining length ${remaining} is ${header.length} bytes: ${header.map((b) => b.toString(16).padStart(2, "0")).join(" ")}`, () => {
      assert.deepStrictEqual(remainingLength(remaining), header);
      const payload = new Uint8Array(remaining - 3);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
      const packet: PublishPacket = { type: "publish", topic: "t", payload, qos: 0, retain: false, dup: false };
      const bytes = encode(packet);
      assert.equal(bytes.length, 1 + header.length + remaining);
      assert.deepStrictEqual(Array.from(bytes.subarray(0, 1 + header.length + 3)), [48, ...header, 0, 1, 116]);
      assert.ok(Buffer.from(bytes.subarray(1 + header.length + 3)).equals(payload));

      const decoded = decodeFrame(bytes);
      assert.deepStrictEqual(decoded, packet);
      // The reader gets it whole, and split in three uneven chunks.
      assert.deepStrictEqual(readAll([bytes]), [packet]);
      const cut1 = 2, cut2 = Math.floor(bytes.length / 3);
      assert.deepStrictEqual(readAll([bytes.subarray(0, cut1), bytes.subarray(cut1, cut2), bytes.subarray(cut2)]), [packet]);
    });
  }
});

describe("PUBLISH decoder rejections", () => {
  const rows: Rejection[] = [
    {
      name: "QoS 3 (3.3.1-4)",
      bytes: [
        54, 5, // fixed header: PUBLISH, QoS bits 11; remaining length 5
        0, 1, 116, // topic "t"
        0, 1, // packet id
      ],
      reason: "qos",
    },
    { name: "QoS 3 with dup and retain", bytes: [63, 5, 0, 1, 116, 0, 1], reason: "qos" },
    {
      name: "DUP at QoS 0 (3.3.1-2)",
      bytes: [
        56, 3, // fixed header: PUBLISH, dup 0x08, QoS 0
        0, 1, 116, // topic "t"
      ],
      reason: "flags",
    },
    { name: "DUP at QoS 0, retained", bytes: [57, 3, 0, 1, 116], reason: "flags" },
    {
      name: "topic with '+' (3.3.2-2)",
      bytes: [
        48, 5, // fixed header
        0, 3, 97, 47, 43, // topic "a/+"
      ],
      reason: "topic",
    },
    {
      name: "topic '#' (3.3.2-2)",
      bytes: [
        48, 3, // fixed header
        0, 1, 35, // topic "#"
      ],
      reason: "topic",
    },
    {
      name: "topic with '#' inside a level",
      bytes: [
        48, 4, // fixed header
        0, 2, 97, 35, // topic "a#"
      ],
      reason: "topic",
    },
    {
      name: "empty topic (4.7.3-1)",
      bytes: [
        48, 3, // fixed header
        0, 0, // topic length 0
        1, // payload
      ],
      reason: "topic",
    },
    {
      name: "topic with an overlong '/' (C0 AF)",
      bytes: [
        48, 4, // fixed header
        0, 2, 0xc0, 0xaf, // topic: overlong U+002F
      ],
      reason: "utf8",
    },
    {
      name: "topic with an overlong three-byte form (E0 80 AF)",
      bytes: [
        48, 5, // fixed header
        0, 3, 0xe0, 0x80, 0xaf, // topic: overlong U+002F
      ],
      reason: "utf8",
    },
    {
      name: "topic with an overlong four-byte form (F0 80 80 AF)",
      bytes: [
        48, 6, // fixed header
        0, 4, 0xf0, 0x80, 0x80, 0xaf, // topic: overlong U+002F
      ],
      reason: "utf8",
    },
    {
      name: "topic with a high surrogate (ED A0 80)",
      bytes: [
        48, 5, // fixed header
        0, 3, 0xed, 0xa0, 0x80, // topic: U+D800
      ],
      reason: "utf8",
    },
    {
      name: "topic with a low surrogate (ED BF BF)",
      bytes: [
        48, 5, // fixed header
        0, 3, 0xed, 0xbf, 0xbf, // topic: U+DFFF
      ],
      reason: "utf8",
    },
    {
      name: "topic with a surrogate pair encoded as two three-byte sequences (CESU-8)",
      bytes: [
        48, 8, // fixed header
        0, 6, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, // topic: U+D83D U+DE00
      ],
      reason: "utf8",
    },
    {
      name: "topic with U+0000 (4.7.3-2)",
      bytes: [
        48, 4, // fixed header
        0, 2, 97, 0, // topic "a\0"
      ],
      reason: "utf8",
    },
    {
      name: "topic ending inside a three-byte sequence",
      bytes: [
        48, 5, // fixed header
        0, 2, 0xe2, 0x82, // topic: two of the three bytes of "€"
        0xac, // the third byte is payload, outside the string
      ],
      reason: "utf8",
    },
    {
      name: "topic ending inside a four-byte sequence",
      bytes: [
        48, 5, // fixed header
        0, 3, 0xf0, 0x9f, 0x98, // topic: three of the four bytes of "😀"
      ],
      reason: "utf8",
    },
    {
      name: "topic with a code point past U+10FFFF (F4 90 80 80)",
      bytes: [
        48, 6, // fixed header
        0, 4, 0xf4, 0x90, 0x80, 0x80, // topic: U+110000
      ],
      reason: "utf8",
    },
    {
      name: "empty body",
      bytes: [48, 0], // fixed header; remaining length 0
      reason: "truncated",
    },
    {
      name: "body ends inside the topic length",
      bytes: [
        48, 1, // fixed header
        0, // half a length
      ],
      reason: "truncated",
    },
    {
      name: "topic claims more bytes than remain",
      bytes: [
        48, 4, // fixed header
        0, 5, 97, 98, // topic length 5, 2 bytes follow
      ],
      reason: "truncated",
    },
    {
      name: "QoS 1 without a packet id",
      bytes: [
        50, 3, // fixed header: QoS 1
        0, 1, 116, // topic "t"
      ],
      reason: "truncated",
    },
    {
      name: "QoS 2 with half a packet id",
      bytes: [
        52, 4, // fixed header: QoS 2
        0, 1, 116, // topic "t"
        0, // half a packet id
      ],
      reason: "truncated",
    },
    {
      name: "QoS 1 with packet id 0 (2.3.1-1)",
      bytes: [
        50, 5, // fixed header: QoS 1
        0, 1, 116, // topic "t"
        0, 0, // packet id 0
      ],
      reason: "packet-id",
    },
    { name: "QoS 2 with packet id 0 (2.3.1-1)", bytes: [52, 6, 0, 1, 116, 0, 0, 7], reason: "packet-id" },
  ];
  rejectionTests(rows);
});

const ackCodes = { puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7 } as const;
type AckType = keyof typeof ackCodes;
const ackTypes = Object.keys(ackCodes) as AckType[];

function ackFirst(type: AckType): number {
  return (ackCodes[type] << 4) | (type === "pubrel" ? 2 : 0);
}

describe("PUBACK, PUBREC, PUBREL, PUBCOMP vectors (3.4-3.7)", () => {
  const rows: Vector[] = [
    {
      name: "puback",
      packet: { type: "puback", packetId: 42 },
      bytes: [
        64, 2, // fixed header: PUBACK; remaining length 2
        0, 42, // packet id 42
      ],
    },
    {
      name: "pubrec",
      packet: { type: "pubrec", packetId: 256 },
      bytes: [
        80, 2, // fixed header: PUBREC; remaining length 2
        1, 0, // packet id 256
      ],
    },
    {
      name: "pubrel (fixed header flags 0010, 3.6.1-1)",
      packet: { type: "pubrel", packetId: 65535 },
      bytes: [
        98, 2, // fixed header: PUBREL, flags 0x2; remaining length 2
        255, 255, // packet id 65535
      ],
    },
    {
      name: "pubcomp",
      packet: { type: "pubcomp", packetId: 1 },
      bytes: [
        112, 2, // fixed header: PUBCOMP; remaining length 2
        0, 1, // packet id 1
      ],
    },
  ];
  vectorTests(rows);
});

describe("PUBACK, PUBREC, PUBREL, PUBCOMP decoder rejections", () => {
  const rows: Rejection[] = [];
  for (const type of ackTypes) {
    const first = ackFirst(type);
    rows.push(
      { name: `${type}: packet id 0 (2.3.1-1)`, bytes: [first, 2, 0, 0], reason: "packet-id" },
      { name: `${type}: empty body`, bytes: [first, 0], reason: "truncated" },
      { name: `${type}: half a packet id`, bytes: [first, 1, 7], reason: "truncated" },
      { name: `${type}: three-byte body`, bytes: [first, 3, 0, 1, 0], reason: "trailing-bytes" },
    );
  }
  rejectionTests(rows);

  wrongFlagTests(ackTypes, () => [0, 1]);
});

describe("PUBLISH encoder validation", () => {
  const base = { type: "publish", topic: "t", payload: bin(), qos: 0, retain: false, dup: false };
  const rows: EncoderCase[] = [
    { name: "topic not a string", packet: bad({ ...base, topic: 1 }), error: TypeError, field: "publish.topic" },
    { name: "empty topic", packet: bad({ ...base, topic: "" }), error: TypeError, field: "publish.topic" },
    { name: "topic with '+'", packet: bad({ ...base, topic: "a/+" }), error: TypeError, field: "publish.topic" },
    { name: "topic '#'", packet: bad({ ...base, topic: "#" }), error: TypeError, field: "publish.topic" },
    { name: "topic with U+0000", packet: bad({ ...base, topic: "a\u0000" }), error: TypeError, field: "publish.topic" },
    { name: "topic with a lone surrogate", packet: bad({ ...base, topic: "a\uD83D" }), error: TypeError, field: "publish.topic" },
    { name: "topic of 65,536 bytes", packet: bad({ ...base, topic: "t".repeat(65536) }), error: TypeError, field: "publish.topic" },
    { name: "QoS 3", packet: bad({ ...base, qos: 3, packetId: 1 }), error: RangeError, field: "publish.qos" },
    { name: "QoS -1", packet: bad({ ...base, qos: -1 }), error: RangeError, field: "publish.qos" },
    { name: "QoS as a string", packet: bad({ ...base, qos: "1", packetId: 1 }), error: RangeError, field: "publish.qos" },
    { name: "retain not a boolean", packet: bad({ ...base, retain: 0 }), error: TypeError, field: "publish.retain" },
    { name: "dup not a boolean", packet: bad({ ...base, dup: "false" }), error: TypeError, field: "publish.dup" },
    { name: "dup at QoS 0 (3.3.1-2)", packet: bad({ ...base, dup: true }), error: TypeError, field: "publish.dup" },
    { name: "payload a string", packet: bad({ ...base, payload: "hello" }), error: TypeError, field: "publish.payload" },
    { name: "payload a plain array", packet: bad({ ...base, payload: [1, 2] }), error: TypeError, field: "publish.payload" },
    { name: "payload an ArrayBuffer", packet: bad({ ...base, payload: new ArrayBuffer(2) }), error: TypeError, field: "publish.payload" },
    {
      name: "payload larger than the largest Remaining Length",
      packet: bad({ ...base, payload: claimsLength(MAX_REMAINING_LENGTH + 1) }),
      error: RangeError, field: "publish.payload",
    },
    {
      name: "topic and payload together past 268,435,455 bytes (2.2.3)",
      packet: bad({ ...base, payload: claimsLength(MAX_REMAINING_LENGTH - 2) }),
      error: RangeError, field: "publish",
    },
    { name: "QoS 1 without a packet id", packet: bad({ ...base, qos: 1 }), error: RangeError, field: "publish.packetId" },
    { name: "QoS 1 with packet id 0", packet: bad({ ...base, qos: 1, packetId: 0 }), error: RangeError, field: "publish.packetId" },
    { name: "QoS 2 with packet id 65536", packet: bad({ ...base, qos: 2, packetId: 65536 }), error: RangeError, field: "publish.packetId" },
    { name: "QoS 2 with packet id 1.5", packet: bad({ ...base, qos: 2, packetId: 1.5 }), error: RangeError, field: "publish.packetId" },
    { name: "QoS 1 with packet id as a string", packet: bad({ ...base, qos: 1, packetId: "1" }), error: RangeError, field: "publish.packetId" },
    { name: "QoS 0 with a packet id (2.3.1-5)", packet: bad({ ...base, packetId: 1 }), error: TypeError, field: "publish.packetId" },
  ];
  encoderErrorTests(rows);

  it("topic of exactly 65,535 bytes is accepted", () => {
    const packet: Packet = { type: "publish", topic: "t".repeat(65535), payload: bin(1), qos: 0, retain: false, dup: false };
    assert.deepStrictEqual(decodeFrame(encode(packet)), packet);
  });
});

describe("PUBACK, PUBREC, PUBREL, PUBCOMP encoder validation", () => {
  const rows: EncoderCase[] = [];
  for (const type of ackTypes) {
    for (const packetId of [0, 65536, -1, 2.5, "7", undefined]) {
      rows.push({ name: `${type} with packet id ${JSON.stringify(packetId)}`, packet: bad({ type, packetId }), error: RangeError, field: `${type}.packetId` });
    }
  }
  encoderErrorTests(rows);
});

describe("encodeCheckedPublish (the client's hot path) matches encode", () => {
  // Remaining Length = 2 + topic + 2 (packet id) + payload: around each boundary of 2.2.3.
  const topic = new TextEncoder().encode("a/b");
  for (const remaining of [7, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152]) {
    it(`for a Remaining Length of ${remaining}`, () => {
      const payload = new Uint8Array(remaining - 2 - topic.length - 2).fill(0x5a);
      const fast = encodeCheckedPublish(topic, payload, 1, false, true, 513);
      const checked = encode({ type: "publish", topic: "a/b", payload, qos: 1, retain: false, dup: true, packetId: 513 });
      assert.ok(Buffer.from(fast).equals(Buffer.from(checked)));
    });
  }
  it("at QoS 0, with no packet id", () => {
    const payload = Uint8Array.of(1, 2, 3);
    assert.deepEqual(Array.from(encodeCheckedPublish(topic, payload, 0, true, false, undefined)),
      Array.from(encode({ type: "publish", topic: "a/b", payload, qos: 0, retain: true, dup: false })));
  });
});

describe("encoded packets are independent", () => {
  it("small packets, cut from shared blocks, and large ones keep their bytes while later packets are encoded", () => {
    const packets: PublishPacket[] = [];
    for (let i = 1; i <= 60; i++) {
      const size = i % 7 === 0 ? 300 : i * 3; // mostly small, some past the pooled size
      packets.push({ type: "publish", topic: `t/${i}`, payload: new Uint8Array(size).fill(i), qos: 1, retain: false, dup: false, packetId: i });
    }
    const encoded = packets.map((packet) => encode(packet));
    const expected = encoded.map((bytes) => Array.from(bytes));
    for (let i = 0; i < 40; i++) encode({ type: "puback", packetId: i + 1 }).fill(0xff); // later packets, scribbled on
    encoded.forEach((bytes, i) => {
      assert.deepEqual(Array.from(bytes), expected[i], `packet ${i + 1} unchanged`);
      const read: Packet[] = [];
      new PacketReader().push(bytes, (packet) => read.push(packet));
      assert.deepEqual(read, [packets[i]], `packet ${i + 1} reads back alone`);
    });
    const ids = new Set(encoded.map((bytes) => bytes.buffer));
    assert.ok(ids.size < encoded.length, "small packets share blocks");
  });
});
