/*
 * Codec benchmark: our encoder (src/mqtt/encoder.ts `encode`) and streaming
 * reader (src/mqtt/reader.ts `PacketReader`) against mqtt-packet's
 * `generate` and `parser`, on the same mix of packets a sensor sends and
 * receives. Both sides turn packet objects into bytes and bytes back into
 * packet objects; ours takes and gives Uint8Arrays, mqtt-packet Buffers, as
 * each expects. Before timing, every packet of the mix is checked to encode to
 * the same bytes on both sides and to decode back, so both do the same work.
 *
 * Three measures, each in packets per second: encode, decode, and encode then
 * decode (the target: ours at least 2x mqtt-packet). Each is warmed up, then
 * timed in rounds that alternate which side goes first; the median round counts.
 */

import { createRequire } from "node:module";
import mqttPacket from "mqtt-packet";
import { encode } from "../../src/mqtt/encoder";
import type { Packet } from "../../src/mqtt/packets";
import { PacketReader } from "../../src/mqtt/reader";
import { type BenchOptions, type BenchResult, higherIsBetter, median, type Row, spread } from "./common";

const TOPIC = "home/livingroom/temperature";
const utf8 = new TextEncoder();

function reading(seq: number): Uint8Array {
  const value = 21.5 + (seq % 16) * 0.0625;
  return utf8.encode(JSON.stringify({ value, unit: "°C", ts: 1795370428594 + seq * 5000, seq }));
}

/** 1 KiB of JSON-ish text: a larger status or log message. */
function kibibyte(seed: number): Uint8Array {
  const entries: string[] = [];
  let text = "";
  for (let i = 0; text.length < 1024; i++) {
    entries.push(`"k${i}":${(seed * 7919 + i * 104729) % 100000}`);
    text = `{${entries.join(",")}}`;
  }
  return utf8.encode(text.slice(0, 1023) + "}");
}

/** One round of the mix, in our packet shapes (20 packets). */
export function ourMix(): Packet[] {
  const mix: Packet[] = [];
  for (let i = 1; i <= 6; i++) {
    mix.push({ type: "publish", topic: TOPIC, payload: reading(i), qos: 1, retain: false, dup: false, packetId: i });
    mix.push({ type: "puback", packetId: i });
  }
  for (let i = 7; i <= 9; i++) mix.push({ type: "publish", topic: TOPIC, payload: reading(i), qos: 0, retain: false, dup: false });
  mix.push({ type: "publish", topic: "home/livingroom/log", payload: kibibyte(1), qos: 1, retain: false, dup: false, packetId: 10 });
  mix.push({ type: "publish", topic: "home/livingroom/log", payload: kibibyte(2), qos: 1, retain: false, dup: true, packetId: 11 });
  mix.push({ type: "pingreq" });
  mix.push({
    type: "connect", protocolLevel: 4, clientId: "xs-sensor-livingroom", cleanSession: true, keepalive: 60,
    will: { topic: "home/livingroom/status", payload: utf8.encode("offline"), qos: 1, retain: true },
  });
  mix.push({ type: "subscribe", packetId: 12, subscriptions: [{ topicFilter: "home/livingroom/set/#", qos: 1 }, { topicFilter: "home/+/config", qos: 1 }] });
  return mix;
}

/** The same packet in mqtt-packet's shape. */
function peerPacket(packet: Packet): mqttPacket.Packet {
  switch (packet.type) {
    case "publish":
      return {
        cmd: "publish", topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain, dup: packet.dup,
        ...(packet.packetId === undefined ? {} : { messageId: packet.packetId }),
      };
    case "puback":
      return { cmd: "puback", messageId: packet.packetId };
    case "pingreq":
      return { cmd: "pingreq" };
    case "connect":
      return {
        cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId: packet.clientId, clean: packet.cleanSession, keepalive: packet.keepalive,
        ...(packet.will ? { will: { topic: packet.will.topic, payload: Buffer.from(packet.will.payload), qos: packet.will.qos, retain: packet.will.retain } } : {}),
      };
    case "subscribe":
      return { cmd: "subscribe", messageId: packet.packetId, subscriptions: packet.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos })) };
    default:
      throw new Error(`no mqtt-packet shape for ${packet.type} in the benchmark mix`);
  }
}

interface Side {
  encode(): number;
  decode(): number;
  both(): number;
}

function ourSide(mix: Packet[]): Side {
  const reader = new PacketReader();
  const bytes = mix.map((packet) => encode(packet));
  let decoded = 0;
  const onPacket = (packet: Packet) => { decoded += packet.type.length; };
  return {
    encode() {
      let sink = 0;
      for (let i = 0; i < mix.length; i++) sink += encode(mix[i]).length;
      return sink;
    },
    decode() {
      decoded = 0;
      for (let i = 0; i < bytes.length; i++) reader.push(bytes[i], onPacket);
      return decoded;
    },
    both() {
      decoded = 0;
      for (let i = 0; i < mix.length; i++) reader.push(encode(mix[i]), onPacket);
      return decoded;
    },
  };
}

function peerSide(mix: mqttPacket.Packet[]): Side {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const buffers = mix.map((packet) => mqttPacket.generate(packet));
  let decoded = 0;
  parser.on("packet", (packet: mqttPacket.Packet) => { decoded += packet.cmd.length; });
  parser.on("error", (error: Error) => { throw error; });
  return {
    encode() {
      let sink = 0;
      for (let i = 0; i < mix.length; i++) sink += mqttPacket.generate(mix[i]).length;
      return sink;
    },
    decode() {
      decoded = 0;
      for (let i = 0; i < buffers.length; i++) parser.parse(buffers[i]);
      return decoded;
    },
    both() {
      decoded = 0;
      for (let i = 0; i < mix.length; i++) parser.parse(mqttPacket.generate(mix[i]));
      return decoded;
    },
  };
}

/** Checks that both sides produce the same bytes and read them back to the same packets. */
function checkEquivalent(ours: Packet[], peer: mqttPacket.Packet[]): void {
  const reader = new PacketReader();
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const parsed: mqttPacket.Packet[] = [];
  parser.on("packet", (packet: mqttPacket.Packet) => parsed.push(packet));
  for (let i = 0; i < ours.length; i++) {
    const a = encode(ours[i]);
    const b = mqttPacket.generate(peer[i]);
    if (Buffer.compare(Buffer.from(a), b) !== 0)
      throw new Error(`codec bench: packet ${i} (${ours[i].type}) encodes differently:\n ours ${Buffer.from(a).toString("hex")}\n peer ${b.toString("hex")}`);
    let back: Packet | undefined;
    reader.push(Uint8Array.from(b), (packet) => { back = packet; });
    if (back?.type !== ours[i].type) throw new Error(`codec bench: packet ${i} decodes to ${back?.type}`);
    if (Buffer.compare(Buffer.from(encode(back)), b) !== 0) throw new Error(`codec bench: packet ${i} does not survive a round trip`);
    parser.parse(Buffer.from(a));
    if (parsed.length !== i + 1 || parsed[i].cmd !== ours[i].type) throw new Error(`codec bench: mqtt-packet read packet ${i} as ${parsed[i]?.cmd}`);
  }
}

/** Packets per second of `work` (one call = `perCall` packets) over about `ms`. */
function time(work: () => number, perCall: number, ms: number): { rate: number; sink: number } {
  let calls = 0;
  let sink = 0;
  const started = performance.now();
  const end = started + ms;
  let now = started;
  while (now < end) {
    for (let i = 0; i < 20; i++) sink += work();
    calls += 20;
    now = performance.now();
  }
  return { rate: (calls * perCall) / ((now - started) / 1000), sink };
}

export async function codecBench({ quick, progress }: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const peerVersion = (require("mqtt-packet/package.json") as { version: string }).version;
  const mix = ourMix();
  const peerMix = mix.map(peerPacket);
  checkEquivalent(mix, peerMix);
  const mixBytes = mix.reduce((sum, packet) => sum + encode(packet).length, 0);
  progress.line(`mix of ${mix.length} packets, ${mixBytes} bytes; both codecs produce identical bytes`);

  const ours = ourSide(mix);
  const peer = peerSide(peerMix);
  const rounds = quick ? 3 : 7;
  const roundMs = quick ? 150 : 300;
  const warmMs = quick ? 300 : 800;
  let sink = 0;
  const rows: Row[] = [];
  const spreads: string[] = [];
  const measures = [
    ["encode", "encode, packets/s", undefined],
    ["decode", "decode, packets/s", undefined],
    ["both", "encode + decode, packets/s", 2],
  ] as const;
  for (const [key, metric, target] of measures) {
    sink += time(ours[key], mix.length, warmMs).sink + time(peer[key], mix.length, warmMs).sink;
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await new Promise((resolve) => setImmediate(resolve)); // let timers and GC finalizers run between rounds
      let x: ReturnType<typeof time>;
      let y: ReturnType<typeof time>;
      if (round % 2 === 0) {
        x = time(ours[key], mix.length, roundMs);
        y = time(peer[key], mix.length, roundMs);
      }
      else {
        y = time(peer[key], mix.length, roundMs);
        x = time(ours[key], mix.length, roundMs);
      }
      a.push(x.rate);
      b.push(y.rate);
      sink += x.sink + y.sink;
    }
    const row = higherIsBetter(metric, median(a), median(b), "/s", target);
    rows.push(row);
    spreads.push(`${key} ±${(spread(a) * 50).toFixed(0)}% / ±${(spread(b) * 50).toFixed(0)}%`);
    progress.line(`${metric}: ours ${(row.ours / 1e6).toFixed(2)} M, mqtt-packet ${(row.peer! / 1e6).toFixed(2)} M, ${row.ratio!.toFixed(2)}x`);
  }
  if (sink === 42) progress.line("(sink)"); // keeps the work observable

  return {
    name: "codec",
    title: "Codec: encode/decode throughput (Node, in process)",
    peer: `mqtt-packet ${peerVersion} (generate + parser)`,
    rows,
    notes: [
      `mix per round: 6 PUBLISH QoS 1 with a ${mix[0].type === "publish" ? mix[0].payload.length : 0}-byte JSON reading + 6 PUBACK, 3 PUBLISH QoS 0, 2 PUBLISH QoS 1 of 1 KiB, PINGREQ, CONNECT with Will, SUBSCRIBE (2 filters): ${mix.length} packets, ${mixBytes} bytes`,
      `median of ${rounds} rounds of ${roundMs} ms after ${warmMs} ms warm-up, sides alternating; spread (half range / median) ours/peer: ${spreads.join(", ")}`,
      "decode = one long-lived PacketReader.push / parser.parse per packet (as a socket read delivering one packet)",
    ],
    seconds: (performance.now() - started) / 1000,
  };
}
