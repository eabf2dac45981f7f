/*
 * fast-check arbitraries of valid MQTT 3.1.1 packets, shared by the property
 * and fuzz tests (not a test file itself).
 */

import fc from "fast-check";

import type {
  AckPacket, ConnackPacket, ConnectPacket, Packet, PublishPacket, QoS, SubackPacket, SubscribePacket, UnsubscribePacket,
} from "../../../src/mqtt/packets";

/** Characters worth seeing often: ASCII, "$", 2/3/4-byte UTF-8, the last code point, U+FEFF. */
const common = ["a", "b", "z", "0", " ", "-", "$", "é", "€", "😀", "\u{10ffff}", "\ufeff", "\u007f", "\u0080", "\u07ff", "\u0800"];

/** One code point, never U+0000 (MQTT strings cannot hold it). */
const textUnit: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...common) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  )
  .map((c) => (c === "\u0000" ? "0" : c));

/** One code point that may sit inside a topic level: no "/", "+", "#". */
const levelUnit: fc.Arbitrary<string> = textUnit.map((c) => (c === "/" || c === "+" || c === "#" ? "_" : c));

export const mqttString = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: textUnit, maxLength });

export const topicLevel: fc.Arbitrary<string> = fc.string({ unit: levelUnit, maxLength: 6 });

/** A valid topic name: one or more levels (empty levels allowed), no wildcards, not empty. */
export const topicName: fc.Arbitrary<string> = fc
  .array(topicLevel, { minLength: 1, maxLength: 5 })
  .map((levels) => levels.join("/") || "x");

/** A valid topic filter: levels, "+" levels, optionally a last "#". */
export const topicFilter: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 3, arbitrary: topicLevel }, { weight: 1, arbitrary: fc.constant("+") }), { maxLength: 5 }),
    fc.boolean(),
  )
  .map(([levels, hash]) => (hash ? [...levels, "#"] : levels).join("/") || "+");

export const qos: fc.Arbitrary<QoS> = fc.constantFrom<QoS>(0, 1, 2);
export const packetId: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(1, 255, 256, 65535), fc.integer({ min: 1, max: 65535 }));

function patterned(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + length) & 0xff;
  return bytes;
}

/** Payloads: mostly small, some crossing the one-byte (127) and two-byte (16,383) Remaining Length limits. */
export const payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 12, arbitrary: fc.uint8Array({ maxLength: 48 }) },
  { weight: 2, arbitrary: fc.integer({ min: 110, max: 300 }).map(patterned) },
  { weight: 1, arbitrary: fc.integer({ min: 16_360, max: 16_400 }).map(patterned) },
);

export interface PacketArbitraryOptions {
  /** Only packets mqtt-packet (protocol version 4) can generate: level 4, no empty client id without a clean session. */
  mqttPacketCompatible?: boolean;
}

export function connectArbitrary(options: PacketArbitraryOptions = {}): fc.Arbitrary<ConnectPacket> {
  const compatible = options.mqttPacketCompatible ?? false;
  return fc
    .record({
      protocolLevel: compatible ? fc.constant(4) : fc.oneof({ weight: 4, arbitrary: fc.constant(4) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
      clientId: mqttString(23),
      cleanSession: fc.boolean(),
      keepalive: fc.oneof(fc.constantFrom(0, 60, 65535), fc.integer({ min: 0, max: 65535 })),
      will: fc.option(fc.record({ topic: topicName, payload: fc.uint8Array({ maxLength: 32 }), qos, retain: fc.boolean() }, { noNullPrototype: true }), { nil: undefined }),
      username: fc.option(mqttString(16), { nil: undefined }),
      password: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: undefined }),
    })
    .filter((r) => !compatible || r.clientId !== "" || r.cleanSession)
    .map((r) => {
      const packet: ConnectPacket = {
        type: "connect", protocolLevel: r.protocolLevel, clientId: r.clientId, cleanSession: r.cleanSession, keepalive: r.keepalive,
      };
      if (r.will) packet.will = r.will;
      if (r.username !== undefined) {
        packet.username = r.username;
        if (r.password) packet.password = r.password;
      }
      return packet;
    });
}

export const connackArbitrary: fc.Arbitrary<ConnackPacket> = fc
  .record({ sessionPresent: fc.boolean(), returnCode: fc.integer({ min: 0, max: 5 }) })
  .map((r) => ({ type: "connack", sessionPresent: r.sessionPresent && r.returnCode === 0, returnCode: r.returnCode }));

export const publishArbitrary: fc.Arbitrary<PublishPacket> = fc
  .record({ topic: topicName, payload, qos, retain: fc.boolean(), dup: fc.boolean(), packetId })
  .map((r) => {
    const packet: PublishPacket = { type: "publish", topic: r.topic, payload: r.payload, qos: r.qos, retain: r.retain, dup: false };
    if (r.qos > 0) {
      packet.dup = r.dup;
      packet.packetId = r.packetId;
    }
    return packet;
  });

export const ackArbitrary: fc.Arbitrary<AckPacket> = fc
  .tuple(fc.constantFrom("puback", "pubrec", "pubrel", "pubcomp", "unsuback"), packetId)
  .map(([type, id]) => ({ type, packetId: id }));

export const subscribeArbitrary: fc.Arbitrary<SubscribePacket> = fc
  .record({ packetId, subscriptions: fc.array(fc.record({ topicFilter, qos }, { noNullPrototype: true }), { minLength: 1, maxLength: 5 }) })
  .map((r) => ({ type: "subscribe", packetId: r.packetId, subscriptions: r.subscriptions }));

export const subackArbitrary: fc.Arbitrary<SubackPacket> = fc
  .record({ packetId, returnCodes: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 8 }) })
  .map((r) => ({ type: "suback", packetId: r.packetId, returnCodes: r.returnCodes }));

export const unsubscribeArbitrary: fc.Arbitrary<UnsubscribePacket> = fc
  .record({ packetId, topicFilters: fc.array(topicFilter, { minLength: 1, maxLength: 5 }) })
  .map((r) => ({ type: "unsubscribe", packetId: r.packetId, topicFilters: r.topicFilters }));

export const emptyArbitrary: fc.Arbitrary<Packet> = fc
  .constantFrom("pingreq", "pingresp", "disconnect")
  .map((type) => ({ type }));

/** Any valid packet, every type represented. */
export function packetArbitrary(options: PacketArbitraryOptions = {}): fc.Arbitrary<Packet> {
  return fc.oneof(
    { weight: 2, arbitrary: connectArbitrary(options) },
    { weight: 1, arbitrary: connackArbitrary },
    { weight: 4, arbitrary: publishArbitrary },
    { weight: 2, arbitrary: ackArbitrary },
    { weight: 2, arbitrary: subscribeArbitrary },
    { weight: 1, arbitrary: subackArbitrary },
    { weight: 2, arbitrary: unsubscribeArbitrary },
    { weight: 1, arbitrary: emptyArbitrary },
  );
}
