/*
 * PacketReader: fixed header checks as bytes arrive, Remaining Length
 * (2.2.3), packets split across reads and many per read, maxPacketSize,
 * failure that sticks, reset().
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MAX_REMAINING_LENGTH, PacketName } from "../../../src/mqtt/constants";
import { checkFirstByte, decodePacket } from "../../../src/mqtt/decoder";
import { encode } from "../../../src/mqtt/encoder";
import { MalformedPacketError } from "../../../src/mqtt/errors";
import type { Packet, PublishPacket } from "../../../src/mqtt/packets";
import { PacketReader } from "../../../src/mqtt/reader";
import { randomChunks, seededRandom } from "./random";
import { bin, catchMalformed, concat, readAll } from "./support";

const noPacket = (packet: Packet): never => assert.fail(`no packet expected, got ${packet.type}`);

/** One of each packet type, some with multi-byte Remaining Lengths. */
const variety: Packet[] = [
  { type: "connect", protocolLevel: 4, clientId: "sensor-1", cleanSession: true, keepalive: 60, will: { topic: "s/1/status", payload: bin(0x6f, 0x66, 0x66), qos: 1, retain: true }, username: "u", password: bin(1, 2) },
  { type: "connack", sessionPresent: false, returnCode: 0 },
  { type: "publish", topic: "s/1/t", payload: new Uint8Array(200).fill(0x2a), qos: 0, retain: false, dup: false },
  { type: "publish", topic: "s/1/h", payload: bin(1), qos: 1, retain: true, dup: false, packetId: 1 },
  { type: "publish", topic: "s/€/😀", payload: bin(), qos: 2, retain: false, dup: true, packetId: 65535 },
  { type: "puback", packetId: 1 },
  { type: "pubrec", packetId: 2 },
  { type: "pubrel", packetId: 3 },
  { type: "pubcomp", packetId: 4 },
  { type: "subscribe", packetId: 5, subscriptions: [{ topicFilter: "s/+/cmd", qos: 1 }, { topicFilter: "#", qos: 0 }] },
  { type: "suback", packetId: 5, returnCodes: [1, 128] },
  { type: "unsubscribe", packetId: 6, topicFilters: ["s/+/cmd"] },
  { type: "unsuback", packetId: 6 },
  { type: "pingreq" },
  { type: "pingresp" },
  { type: "disconnect" },
];
const varietyBytes = concat(...variety.map(encode));

/** A short stream, small enough to try every pair of cut points. */
const short: Packet[] = [
  { type: "publish", topic: "a/b", payload: bin(1, 2, 3), qos: 1, retain: false, dup: false, packetId: 9 },
  { type: "pingreq" },
  { type: "suback", packetId: 9, returnCodes: [0] },
  { type: "connack", sessionPresent: true, returnCode: 0 },
  { type: "unsubscribe", packetId: 2, topicFilters: ["x/#"] },
];
const shortBytes = concat(...short.map(encode));

/** Replaces the global Uint8Array constructor while `fn` runs and returns the sizes it was asked to allocate. */
function allocations(fn: () => void): number[] {
  const sizes: number[] = [];
  const Original = globalThis.Uint8Array;
  globalThis.Uint8Array = new Proxy(Original, {
    construct(target, args, newTarget) {
      if (typeof args[0] === "number") sizes.push(args[0]);
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
  try {
    fn();
  }
  finally {
    globalThis.Uint8Array = Original;
  }
  return sizes;
}

describe("fixed header byte 1 (2.2.1, 2.2.2)", () => {
  it("reserved packet types 0 and 15 are refused with every flag value", () => {
    for (const type of [0, 15]) {
      for (let flags = 0; flags < 16; flags++) {
        const first = (type << 4) | flags;
        const error = catchMalformed(() => checkFirstByte(first));
        assert.equal(error.reason, "packet-type");
        assert.equal(catchMalformed(() => decodePacket(first, bin())).reason, "packet-type");
        // The reader refuses at byte 1 alone.
        const reader = new PacketReader();
        assert.equal(catchMalformed(() => reader.push(bin(first), noPacket)).reason, "packet-type");
      }
    }
  });

  it("PUBLISH accepts any flags at byte 1; QoS 3 and DUP at QoS 0 are judged with the body", () => {
    for (let flags = 0; flags < 16; flags++) assert.equal(checkFirstByte(0x30 | flags), "publish");
  });

  it("names every packet type 1-14 with its required flags", () => {
    const required: Record<string, number> = { pubrel: 2, subscribe: 2, unsubscribe: 2 };
    for (let code = 1; code <= 14; code++) {
      const name = PacketName[code];
      assert.ok(name);
      if (name === "publish") continue;
      assert.equal(checkFirstByte((code << 4) | (required[name] ?? 0)), name);
    }
  });
});

describe("Remaining Length (2.2.3)", () => {
  it("a fifth length byte is refused as soon as the fourth continuation bit is seen", () => {
    const stream = bin(
      0x30, // PUBLISH
      0x80, 0x80, 0x80, 0x80, // four length bytes, all with the continuation bit
      0x01, // a fifth byte
    );
    const reader = new PacketReader();
    for (let i = 0; i < 4; i++) reader.push(stream.subarray(i, i + 1), noPacket);
    const error = catchMalformed(() => reader.push(stream.subarray(4, 5), noPacket));
    assert.equal(error.reason, "remaining-length");
    assert.equal(catchMalformed(() => new PacketReader().push(stream, noPacket)).reason, "remaining-length");
    assert.equal(catchMalformed(() => new PacketReader().push(bin(0xc0, 0xff, 0xff, 0xff, 0xff, 0x7f), noPacket)).reason, "remaining-length");
  });

  it("the largest four-byte length FF FF FF 7F reads as 268,435,455", () => {
    const max = 1 + 4 + MAX_REMAINING_LENGTH; // 268,435,460 bytes in all
    const reader = new PacketReader({ maxPacketSize: max - 1 });
    const error = catchMalformed(() => reader.push(bin(0x30, 0xff, 0xff, 0xff, 0x7f), noPacket));
    assert.equal(error.reason, "too-large");
    assert.match(error.message, /268435460/);
  });

  it("one-, two-, three- and four-byte lengths announce the right sizes (Table 2.4)", () => {
    const cases: [number[], number][] = [
      [[0x01], 1], [[0x7f], 127], [[0x80, 0x01], 128], [[0xc1, 0x02], 321], [[0xff, 0x7f], 16383],
      [[0x80, 0x80, 0x01], 16384], [[0xff, 0xff, 0x7f], 2097151], [[0x80, 0x80, 0x80, 0x01], 2097152],
    ];
    for (const [length, value] of cases) {
      const header = bin(0x30, ...length);
      const size = 1 + length.length + value;
      // One byte over the limit: refused at once, naming the size.
      const error = catchMalformed(() => new PacketReader({ maxPacketSize: size - 1 }).push(header, noPacket));
      assert.equal(error.reason, "too-large");
      assert.ok(error.message.includes(`packet of ${size} bytes`), error.message);
      // At the limit: accepted, now waiting for the body.
      const reader = new PacketReader({ maxPacketSize: size });
      reader.push(header, noPacket);
      assert.equal(reader.idle, false);
      assert.equal(reader.buffered, 0);
    }
  });
});

describe("streaming", () => {
  it("decodes a stream of every packet type in one chunk, in order", () => {
    assert.deepStrictEqual(readAll([varietyBytes]), variety);
  });

  it("decodes the same packets when the stream is split at every byte boundary", () => {
    for (let cut = 0; cut <= varietyBytes.length; cut++) {
      assert.deepStrictEqual(readAll([varietyBytes.subarray(0, cut), varietyBytes.subarray(cut)]), variety, `cut at ${cut}`);
    }
  });

  it("decodes the same packets when the stream is split at every pair of byte boundaries", () => {
    const n = shortBytes.length;
    for (let a = 0; a <= n; a++) {
      for (let b = a; b <= n; b++) {
        const packets = readAll([shortBytes.subarray(0, a), shortBytes.subarray(a, b), shortBytes.subarray(b)]);
        assert.deepStrictEqual(packets, short, `cuts at ${a} and ${b}`);
      }
    }
  });

  it("decodes the stream fed one byte at a time", () => {
    const chunks = Array.from(varietyBytes, (_, i) => varietyBytes.subarray(i, i + 1));
    assert.deepStrictEqual(readAll(chunks), variety);
  });

  it("decodes the stream in 300 random chunkings (seeded)", () => {
    const random = seededRandom(0x5eed);
    for (let run = 0; run < 300; run++) assert.deepStrictEqual(readAll(randomChunks(varietyBytes, random)), variety);
  });

  it("delivers 10,000 packets from a single chunk", () => {
    const packets: Packet[] = [];
    for (let i = 1; i <= 10_000; i++) {
      packets.push(i % 2 ? { type: "puback", packetId: i } : { type: "publish", topic: `t/${i}`, payload: bin(i & 0xff), qos: 0, retain: false, dup: false });
    }
    assert.deepStrictEqual(readAll([concat(...packets.map(encode))]), packets);
  });

  it("zero-length bodies (PINGREQ) between and around other packets", () => {
    const stream = concat(encode({ type: "pingreq" }), encode({ type: "pingreq" }), encode({ type: "puback", packetId: 3 }), encode({ type: "pingreq" }));
    assert.deepStrictEqual(readAll([stream]), [{ type: "pingreq" }, { type: "pingreq" }, { type: "puback", packetId: 3 }, { type: "pingreq" }]);
  });

  it("an empty chunk is a no-op", () => {
    const reader = new PacketReader();
    reader.push(new Uint8Array(0), noPacket);
    assert.equal(reader.idle, true);
    reader.push(bin(0x30), noPacket);
    reader.push(new Uint8Array(0), noPacket);
    assert.equal(reader.idle, false);
  });

  it("reports idle and buffered bytes", () => {
    const bytes = encode({ type: "publish", topic: "t", payload: bin(1, 2, 3, 4), qos: 0, retain: false, dup: false });
    const reader = new PacketReader();
    assert.equal(reader.idle, true);
    assert.equal(reader.buffered, 0);
    reader.push(bytes.subarray(0, 1), noPacket); // byte 1
    assert.equal(reader.idle, false);
    assert.equal(reader.buffered, 0);
    reader.push(bytes.subarray(1, 2), noPacket); // Remaining Length
    assert.equal(reader.buffered, 0);
    reader.push(bytes.subarray(2, 5), noPacket); // three body bytes
    assert.equal(reader.buffered, 3);
    const got: Packet[] = [];
    reader.push(bytes.subarray(5), (packet) => got.push(packet));
    assert.equal(got.length, 1);
    assert.equal(reader.idle, true);
    assert.equal(reader.buffered, 0);
  });

  it("a packet whole inside a chunk is a view of it; a split packet is copied and survives reuse of the chunk", () => {
    const bytes = encode({ type: "publish", topic: "t", payload: bin(7, 8, 9), qos: 0, retain: false, dup: false });
    let whole: PublishPacket | undefined;
    new PacketReader().push(bytes, (packet) => { whole = packet as PublishPacket; });
    assert.ok(whole);
    assert.equal(whole.payload.buffer, bytes.buffer);

    const reader = new PacketReader();
    const chunk = new Uint8Array(bytes.subarray(0, 6));
    reader.push(chunk, noPacket);
    chunk.fill(0); // the caller reuses its read buffer
    let split: PublishPacket | undefined;
    reader.push(bytes.subarray(6), (packet) => { split = packet as PublishPacket; });
    assert.ok(split);
    assert.deepStrictEqual(split.payload, bin(7, 8, 9));
  });
});

describe("maxPacketSize", () => {
  it("defaults to the largest packet MQTT can express", () => {
    assert.equal(new PacketReader().maxPacketSize, MAX_REMAINING_LENGTH + 5);
  });

  it("refuses options that are not an integer of at least 2", () => {
    for (const maxPacketSize of [1, 0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new PacketReader({ maxPacketSize }), RangeError);
    }
  });

  it("counts the whole packet, fixed header included: exactly the limit passes, one more byte fails", () => {
    const ok = encode({ type: "publish", topic: "t", payload: new Uint8Array(95), qos: 0, retain: false, dup: false });
    assert.equal(ok.length, 100);
    assert.equal(readAll([ok], new PacketReader({ maxPacketSize: 100 })).length, 1);
    const over = encode({ type: "publish", topic: "t", payload: new Uint8Array(96), qos: 0, retain: false, dup: false });
    const error = catchMalformed(() => new PacketReader({ maxPacketSize: 100 }).push(over, noPacket));
    assert.equal(error.reason, "too-large");
    // The smallest limit still takes packets with no body.
    assert.deepStrictEqual(readAll([encode({ type: "pingreq" })], new PacketReader({ maxPacketSize: 2 })), [{ type: "pingreq" }]);
    assert.equal(catchMalformed(() => new PacketReader({ maxPacketSize: 2 }).push(bin(0x40, 2), noPacket)).reason, "too-large");
  });

  it("refuses as soon as the Remaining Length is read, before allocating the body", () => {
    const reader = new PacketReader({ maxPacketSize: 1 << 20 });
    // A header announcing 268,435,455 bytes, and no body yet.
    const sizes = allocations(() => {
      const error = catchMalformed(() => reader.push(bin(0x30, 0xff, 0xff, 0xff, 0x7f), noPacket));
      assert.equal(error.reason, "too-large");
    });
    assert.deepStrictEqual(sizes.filter((size) => size > 1024), []);
    assert.equal(reader.buffered, 0);

    // The same with the header split byte by byte.
    const split = new PacketReader({ maxPacketSize: 1000 });
    const header = bin(0x30, 0xe9, 0x07); // 1001 body bytes
    split.push(header.subarray(0, 1), noPacket);
    split.push(header.subarray(1, 2), noPacket);
    const splitSizes = allocations(() => {
      assert.equal(catchMalformed(() => split.push(header.subarray(2, 3), noPacket)).reason, "too-large");
    });
    assert.deepStrictEqual(splitSizes.filter((size) => size >= 1000), []);
  });

  it("allocates exactly the body of a packet split across reads", () => {
    const bytes = encode({ type: "publish", topic: "t", payload: new Uint8Array(5000), qos: 0, retain: false, dup: false });
    const reader = new PacketReader();
    const sizes = allocations(() => reader.push(bytes.subarray(0, 100), noPacket));
    assert.deepStrictEqual(sizes, [5003]);
  });
});

describe("failure and reset()", () => {
  const good = encode({ type: "puback", packetId: 1 });
  const malformed = bin(0x40, 2, 0, 0); // PUBACK with packet id 0

  it("delivers the packets before the malformed one, then throws", () => {
    const got: Packet[] = [];
    const error = catchMalformed(() => new PacketReader().push(concat(good, good, malformed, good), (packet) => got.push(packet)));
    assert.equal(error.reason, "packet-id");
    assert.equal(error.packetType, "puback");
    assert.equal(got.length, 2);
  });

  it("stays failed: every later push throws the same error, even an empty one, and delivers nothing", () => {
    const reader = new PacketReader();
    const first = catchMalformed(() => reader.push(malformed, noPacket));
    for (const chunk of [good, bin(0x00), new Uint8Array(0), encode({ type: "pingreq" })]) {
      const again = catchMalformed(() => reader.push(chunk, noPacket));
      assert.equal(again, first);
    }
    assert.equal(reader.idle, false);
    assert.equal(reader.buffered, 0);
  });

  it("stays failed after a bad first byte, a too-large packet and a bad Remaining Length", () => {
    const cases: [PacketReader, Uint8Array][] = [
      [new PacketReader(), bin(0xf0)],
      [new PacketReader({ maxPacketSize: 10 }), bin(0x30, 20)],
      [new PacketReader(), bin(0x30, 0xff, 0xff, 0xff, 0xff)],
    ];
    for (const [reader, bytes] of cases) {
      const first = catchMalformed(() => reader.push(bytes, noPacket));
      assert.equal(catchMalformed(() => reader.push(good, noPacket)), first);
    }
  });

  it("reset() after a failure takes a new stream", () => {
    const reader = new PacketReader();
    catchMalformed(() => reader.push(malformed, noPacket));
    reader.reset();
    assert.equal(reader.idle, true);
    assert.deepStrictEqual(readAll([good], reader), [{ type: "puback", packetId: 1 }]);
  });

  it("reset() in the middle of a packet forgets it", () => {
    const reader = new PacketReader();
    const bytes = encode({ type: "publish", topic: "t", payload: bin(1, 2, 3), qos: 0, retain: false, dup: false });
    reader.push(bytes.subarray(0, 4), noPacket);
    assert.equal(reader.buffered, 2);
    reader.reset();
    assert.equal(reader.idle, true);
    assert.equal(reader.buffered, 0);
    assert.deepStrictEqual(readAll([good], reader), [{ type: "puback", packetId: 1 }]);
    // Also in the middle of the Remaining Length.
    reader.push(bin(0x30, 0x80), noPacket);
    reader.reset();
    assert.deepStrictEqual(readAll([good], reader), [{ type: "puback", packetId: 1 }]);
  });

  it("an exception from onPacket propagates unchanged and does not fail the reader", () => {
    const reader = new PacketReader();
    const boom = new Error("handler failed");
    assert.throws(() => reader.push(concat(good, encode({ type: "pingreq" })), () => { throw boom; }), (error) => error === boom);
    assert.equal(reader.idle, true);
    // Bytes after that packet in the chunk were not consumed; the next chunk starts a packet.
    assert.deepStrictEqual(readAll([encode({ type: "disconnect" })], reader), [{ type: "disconnect" }]);
  });

  it("MalformedPacketError carries a reason, the packet type and a readable message", () => {
    const error = catchMalformed(() => new PacketReader().push(malformed, noPacket));
    assert.ok(error instanceof Error);
    assert.ok(error instanceof MalformedPacketError);
    assert.equal(error.name, "MalformedPacketError");
    assert.match(error.message, /^malformed PUBACK: .*2\.3\.1-1/);
    const untyped = catchMalformed(() => new PacketReader().push(bin(0x00), noPacket));
    assert.equal(untyped.packetType, undefined);
    assert.match(untyped.message, /^malformed packet: /);
  });
});
