/*
 * Property tests with fixed seeds (fast-check):
 *  - encode -> decode round trip for arbitrary valid packets of every type;
 *  - our bytes equal mqtt-packet's generate() for the same packet, and
 *    mqtt-packet parses our bytes back to the same packet (and we parse its);
 *  - topicMatches agrees with a plain split-on-"/" reference.
 * Set PROPERTY_RUNS to run more cases.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import mqttPacket from "mqtt-packet";
import type { IConnectPacket, Packet as MqttPacket } from "mqtt-packet";

import { encode } from "../../../src/mqtt/encoder";
import type { Packet } from "../../../src/mqtt/packets";
import { topicFilterProblem, topicMatches, topicNameProblem } from "../../../src/mqtt/topics";
import { packetArbitrary, topicFilter, topicName } from "./arbitraries";
import { decodeFrame, readAll } from "./support";

const SEED = 20_141_029; // the date of the MQTT 3.1.1 standard
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3000);

// ---- mqtt-packet field mapping (its objects are untyped at the edges; kept local) ----

function toMqttPacket(packet: Packet): MqttPacket {
  switch (packet.type) {
    case "connect": {
      assert.equal(packet.protocolLevel, 4, "mqtt-packet comparisons use protocol level 4");
      const out: IConnectPacket = {
        cmd: "connect", protocolId: "MQTT", protocolVersion: 4,
        clientId: packet.clientId, clean: packet.cleanSession, keepalive: packet.keepalive,
      };
      if (packet.will) out.will = { topic: packet.will.topic, payload: Buffer.from(packet.will.payload), qos: packet.will.qos, retain: packet.will.retain };
      if (packet.username !== undefined) out.username = packet.username;
      if (packet.password !== undefined) out.password = Buffer.from(packet.password);
      return out;
    }
    case "connack":
      return { cmd: "connack", sessionPresent: packet.sessionPresent, returnCode: packet.returnCode };
    case "publish": {
      const out: MqttPacket = { cmd: "publish", topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain, dup: packet.dup };
      if (packet.packetId !== undefined) out.messageId = packet.packetId;
      return out;
    }
    case "puback": case "pubrec": case "pubrel": case "pubcomp": case "unsuback":
      return { cmd: packet.type, messageId: packet.packetId } as MqttPacket;
    case "subscribe":
      return { cmd: "subscribe", messageId: packet.packetId, subscriptions: packet.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos })) };
    case "suback":
      return { cmd: "suback", messageId: packet.packetId, granted: packet.returnCodes };
    case "unsubscribe":
      return { cmd: "unsubscribe", messageId: packet.packetId, unsubscriptions: packet.topicFilters };
    default:
      return { cmd: packet.type };
  }
}

function bytesOf(value: Buffer | string | undefined): Uint8Array {
  assert.ok(Buffer.isBuffer(value), "mqtt-packet parsed binary data as a Buffer");
  return new Uint8Array(value);
}

function messageId(packet: MqttPacket): number {
  assert.equal(typeof packet.messageId, "number", `${packet.cmd} without messageId`);
  return packet.messageId as number;
}

function fromMqttPacket(packet: MqttPacket): Packet {
  switch (packet.cmd) {
    case "connect": {
      const out: Packet = {
        type: "connect", protocolLevel: packet.protocolVersion ?? -1, clientId: packet.clientId,
        cleanSession: packet.clean ?? false, keepalive: packet.keepalive ?? -1,
      };
      if (packet.will) out.will = { topic: packet.will.topic, payload: bytesOf(packet.will.payload), qos: packet.will.qos ?? 0, retain: packet.will.retain ?? false };
      if (packet.username !== undefined) out.username = packet.username;
      if (packet.password !== undefined) out.password = bytesOf(packet.password);
      return out;
    }
    case "connack":
      return { type: "connack", sessionPresent: packet.sessionPresent, returnCode: packet.returnCode ?? -1 };
    case "publish": {
      const out: Packet = { type: "publish", topic: packet.topic, payload: bytesOf(packet.payload), qos: packet.qos, retain: packet.retain, dup: packet.dup };
      if (packet.qos > 0) out.packetId = messageId(packet);
      return out;
    }
    case "puback": case "pubrec": case "pubrel": case "pubcomp": case "unsuback":
      return { type: packet.cmd, packetId: messageId(packet) };
    case "subscribe":
      return { type: "subscribe", packetId: messageId(packet), subscriptions: packet.subscriptions.map((s) => ({ topicFilter: s.topic, qos: s.qos })) };
    case "suback":
      return { type: "suback", packetId: messageId(packet), returnCodes: packet.granted as number[] };
    case "unsubscribe":
      return { type: "unsubscribe", packetId: messageId(packet), topicFilters: packet.unsubscriptions };
    case "pingreq": case "pingresp": case "disconnect":
      return { type: packet.cmd };
    default:
      return assert.fail(`unexpected mqtt-packet command ${packet.cmd}`);
  }
}

function parseWithMqttPacket(bytes: Uint8Array): MqttPacket[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: MqttPacket[] = [];
  const errors: unknown[] = [];
  parser.on("packet", (packet) => packets.push(packet));
  parser.on("error", (error: unknown) => errors.push(error));
  parser.parse(Buffer.from(bytes));
  assert.deepStrictEqual(errors, []);
  return packets;
}

// ---- properties ----

describe("codec properties (fast-check, fixed seed)", () => {
  it("encode -> decode is the identity for every packet type, and re-encoding is stable", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(packetArbitrary(), (packet) => {
        seen.add(packet.type);
        const bytes = encode(packet);
        const decoded = decodeFrame(bytes);
        assert.deepStrictEqual(decoded, packet);
        assert.deepStrictEqual(readAll([bytes]), [packet]);
        assert.deepStrictEqual(encode(decoded), bytes);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    assert.equal(seen.size, 14, `types seen: ${[...seen].join(", ")}`);
  });

  it("our encoding equals mqtt-packet's generate() for the same packet", () => {
    fc.assert(
      fc.property(packetArbitrary({ mqttPacketCompatible: true }), (packet) => {
        const theirs = mqttPacket.generate(toMqttPacket(packet));
        assert.deepStrictEqual(Buffer.from(encode(packet)), theirs);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it("mqtt-packet parses our bytes to the same packet, and we parse its bytes to the same packet", () => {
    fc.assert(
      fc.property(packetArbitrary({ mqttPacketCompatible: true }), (packet) => {
        const parsed = parseWithMqttPacket(encode(packet));
        assert.equal(parsed.length, 1);
        assert.deepStrictEqual(fromMqttPacket(parsed[0]), packet);
        const theirs = mqttPacket.generate(toMqttPacket(packet));
        assert.deepStrictEqual(decodeFrame(new Uint8Array(theirs)), packet);
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it("a stream of several packets encodes like mqtt-packet's and reads back in any chunking", () => {
    fc.assert(
      fc.property(
        fc.array(packetArbitrary({ mqttPacketCompatible: true }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 16 }),
        (packets, sizes) => {
          const ours = Buffer.concat(packets.map((packet) => encode(packet)));
          assert.deepStrictEqual(ours, Buffer.concat(packets.map((packet) => mqttPacket.generate(toMqttPacket(packet)))));
          const chunks: Uint8Array[] = [];
          for (let at = 0, i = 0; at < ours.length; i++) {
            const size = sizes[i % sizes.length];
            chunks.push(new Uint8Array(ours.subarray(at, at + size)));
            at += size;
          }
          assert.deepStrictEqual(readAll(chunks), packets);
        },
      ),
      { seed: SEED + 3, numRuns: Math.ceil(RUNS / 5) },
    );
  });
});

// ---- topic matching against an independent reference ----

/** The obvious implementation of 4.7: compare level lists. */
function referenceMatches(filter: string, name: string): boolean {
  if (name.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false; // 4.7.2-1
  const f = filter.split("/");
  const n = name.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true; // this level and all below, the parent too ("a/#" matches "a")
    if (i >= n.length) return false;
    if (f[i] !== "+" && f[i] !== n[i]) return false;
  }
  return f.length === n.length;
}

/** Levels from a small alphabet so that random filters and names often meet. */
const smallLevel = fc.constantFrom("a", "b", "", "$", "$a", "é", "a$");
const smallName = fc.array(smallLevel, { minLength: 1, maxLength: 4 }).map((levels) => levels.join("/") || "a");
const smallFilter = fc
  .tuple(fc.array(fc.oneof(smallLevel, fc.constant("+")), { maxLength: 4 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, "#"] : levels).join("/") || "#");

/** A filter made from a name: some levels turned into "+", maybe cut short with "#", maybe one level added. */
const derivedPair = fc
  .tuple(smallName, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom("none", "hash", "extra"))
  .map(([name, plus, cut, tail]): [string, string] => {
    let levels = name.split("/").map((level, i) => (plus[i] ? "+" : level));
    if (tail === "hash") levels = [...levels.slice(0, cut), "#"];
    if (tail === "extra") levels = [...levels, "a"];
    return [levels.join("/"), name];
  });

describe("topicMatches agrees with a split-on-'/' reference (fast-check, fixed seed)", () => {
  it("on filters and names from a small alphabet", () => {
    let matched = 0, unmatched = 0, dollar = 0;
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallFilter, smallName), derivedPair), ([filter, name]) => {
        assert.equal(topicFilterProblem(filter), undefined, filter);
        assert.equal(topicNameProblem(name), undefined, name);
        const expected = referenceMatches(filter, name);
        if (expected) matched++;
        else unmatched++;
        if (name.startsWith("$") && (filter[0] === "+" || filter[0] === "#")) dollar++;
        assert.equal(topicMatches(filter, name), expected, `${JSON.stringify(filter)} vs ${JSON.stringify(name)}`);
      }),
      { seed: SEED + 4, numRuns: RUNS * 5 },
    );
    assert.ok(matched > RUNS / 2 && unmatched > RUNS / 2, `matched ${matched}, unmatched ${unmatched}`);
    assert.ok(dollar > 50, `only ${dollar} '$' names against leading wildcards`);
  });

  it("on arbitrary valid filters and names", () => {
    fc.assert(
      fc.property(topicFilter, topicName, (filter, name) => {
        assert.equal(topicMatches(filter, name), referenceMatches(filter, name));
      }),
      { seed: SEED + 5, numRuns: RUNS },
    );
  });
});
