/*
 * QoS 1 publish benchmark on Node: our MQTT client (src/mqtt/client.ts) on the
 * Node host's ECMA-419 TCP class (sim/node/modules/tcp.ts, lwIP's rules: a
 * 5,744-byte send buffer granted through onWritable) against MQTT.js, both in
 * this process, publishing to the same broker (./broker.ts: mosquitto, or
 * aedes in a child process when mosquitto is missing).
 *
 * The harness drives both clients identically: it keeps exactly `window`
 * publishes outstanding (a new one starts when one settles), so our client's
 * `inflightWindow` equals the harness window and MQTT.js, which has no window
 * option, never has more than `window` unacknowledged messages either. Each
 * message is a reading as the firmware publishes it: a JSON string, different
 * per message, made by JSON.stringify just before the publish call (inside
 * the timed loop, the same for both clients). Latency is publish() call to the
 * promise settling on PUBACK. Client CPU is this process's user+system CPU
 * time per message (the broker runs elsewhere).
 *
 * Rounds rotate which goes first; throughput is the median round, latencies
 * are percentiles over every timed message.
 *
 * A third publisher runs in the same rounds as a reference: ./bare-publisher.ts,
 * ready-made packets on a bare socket at the same window, a publisher that
 * does no client work at all. How close ours comes to it shows what is left
 * to gain in the client; where it is little faster than MQTT.js, the broker
 * and the machine set the pace.
 */

import { createRequire } from "node:module";
import net from "node:net";
import mqtt from "mqtt";
import TCP from "../../sim/node/modules/tcp";
import { MQTTClient } from "../../src/mqtt/client";
import type { Timers } from "../../src/mqtt/timers";
import type { SocketConstructor } from "../../src/mqtt/transport";
import { BarePublisher, type BareRun } from "./bare-publisher";
import { startBenchBroker } from "./broker";
import { type BenchOptions, type BenchResult, formatNumber, higherIsBetter, lowerIsBetter, median, percentile, type Row, spread } from "./common";

const TOPIC = "home/livingroom/temperature";


/** The client's Timers on Node's setTimeout (src/mqtt/timers.ts). */
export const nodeTimers: Timers = {
  now: () => performance.now(),
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => { if (handle) clearTimeout(handle as NodeJS.Timeout); },
};

/** A connected client, reduced to what the harness needs. */
interface Publisher {
  publish(payload: string): Promise<unknown>;
  close(): Promise<void>;
}

async function connectOurs(port: number, clientId: string, window: number): Promise<Publisher> {
  let client!: MQTTClient;
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`our client did not connect to 127.0.0.1:${port}`)), 5000);
    client = new MQTTClient({
      socket: { io: TCP as unknown as SocketConstructor },
      address: "127.0.0.1",
      port,
      clientId,
      keepalive: 60,
      cleanSession: true,
      timers: nodeTimers,
      // The outbox keeps its default (100 messages), enough for windows up to 100: the harness never has more outstanding.
      inflightWindow: window,
      onConnect: () => { clearTimeout(timeout); resolve(); },
      onError: (error) => { clearTimeout(timeout); reject(error); },
    });
    client.start();
  });
  return {
    publish: (payload) => client.publish(TOPIC, payload, { qos: 1 }),
    close: async () => { client.close(100); },
  };
}

async function connectMQTTjs(port: number, clientId: string): Promise<Publisher> {
  // MqttClient with our own stream builder so the socket has Nagle off, as our transport asks of its socket (nodelay: true).
  const client = new mqtt.MqttClient(() => net.createConnection({ host: "127.0.0.1", port, noDelay: true }), {
    clientId,
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
  });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  return {
    publish: (payload) => client.publishAsync(TOPIC, payload, { qos: 1 }),
    close: () => client.endAsync(),
  };
}

interface Run {
  rate: number;
  /** µs of this process's CPU per message. */
  cpu: number;
  /** µs of the broker's CPU per message (NaN where it cannot be read). */
  brokerCpu: number;
  latencies: Float64Array;
}

/**
 * Reading number `seq` as the firmware publishes one: made by JSON.stringify
 * just before the publish call, inside the timed loop, for both clients. (Made
 * in advance and kept in a long array, V8's string in pieces would outlive the
 * young generation, and the first client to read its characters would pay to
 * join and promote it; a reading made just before its publish never costs that.)
 */
function reading(seq: number): string {
  return JSON.stringify({ value: 21.5 + (seq % 16) * 0.0625, unit: "°C", ts: 1795370428594 + seq * 5000, seq });
}

/** Readings `first` to `first + count - 1`, for the bare publisher to encode before timing. */
function readings(first: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(reading(first + i));
  return out;
}

/** µs of CPU per message x messages per second, as a share of one core. */
function percent(microsPerSecond: number): string {
  return `${Math.round(microsPerSecond / 1e4)}%`;
}

/** Publishes readings `first` to `first + count - 1` keeping `window` outstanding; resolves when the last is acknowledged. */
function drive(client: Publisher, first: number, count: number, window: number, brokerCpu: () => number | undefined): Promise<Run> {
  const latencies = new Float64Array(count);
  return new Promise<Run>((resolve, reject) => {
    let sent = 0;
    let done = 0;
    let failed = false;
    // A lost link would leave publishes waiting for a reconnect; give up rather than hang.
    const limit = setTimeout(() => { failed = true; reject(new Error(`${count} publishes did not complete within 120 s`)); }, 120_000);
    const cpu = process.cpuUsage();
    const brokerBefore = brokerCpu() ?? Number.NaN;
    const started = performance.now();
    const next = () => {
      const index = sent++;
      const at = performance.now();
      client.publish(reading(first + index)).then(() => {
        latencies[index] = performance.now() - at;
        if (++done === count) {
          clearTimeout(limit);
          const seconds = (performance.now() - started) / 1000;
          const used = process.cpuUsage(cpu);
          const broker = ((brokerCpu() ?? Number.NaN) - brokerBefore) * 1e6 / count;
          resolve({ rate: count / seconds, cpu: (used.user + used.system) / count, brokerCpu: broker, latencies });
        }
        else if (sent < count) next();
      }, (error: Error) => {
        if (!failed) { clearTimeout(limit); reject(error); }
        failed = true;
      });
    };
    for (let i = 0; i < Math.min(window, count); i++) next();
  });
}

export async function publishBench({ quick, progress }: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const mqttVersion = (require("mqtt/package.json") as { version: string }).version;
  const { broker, note, cpuSeconds } = await startBenchBroker(progress);
  const notes: string[] = note ? [note] : [];

  const count = quick ? 5_000 : 20_000;
  const rounds = quick ? 2 : 4;
  const warm = quick ? 1_000 : 3_000;
  const windows = [10, 100];
  const rows: Row[] = [];
  let offset = 0;
  try {
    for (const window of windows) {
      const tag = `${process.pid}-${window}`;
      const ours = await connectOurs(broker.port, `bench-ours-${tag}`, window);
      const peer = await connectMQTTjs(broker.port, `bench-mqttjs-${tag}`);
      const bare = await BarePublisher.connect(broker.port, `bench-bare-${tag}`);
      await drive(ours, offset + 1, warm, window, cpuSeconds);
      await drive(peer, offset + 1, warm, window, cpuSeconds);
      await bare.run(BarePublisher.packets(TOPIC, readings(offset + 1, warm)), window);
      offset += warm;
      const a: Run[] = [];
      const b: Run[] = [];
      const c: BareRun[] = [];
      for (let round = 0; round < rounds; round++) {
        const first = offset + 1;
        const packets = BarePublisher.packets(TOPIC, readings(first, count));
        offset += count;
        const sides = ["ours", "peer", "bare"] as const;
        for (let turn = 0; turn < sides.length; turn++) {
          const who = sides[(round + turn) % sides.length];
          const run = who === "ours" ? await drive(ours, first, count, window, cpuSeconds)
            : who === "peer" ? await drive(peer, first, count, window, cpuSeconds)
            : await bare.run(packets, window);
          if (who === "ours") a.push(run as Run);
          else if (who === "peer") b.push(run as Run);
          else c.push(run);
          const label = who === "ours" ? "ours   " : who === "peer" ? "MQTT.js" : "bare   ";
          progress.line(`window ${window}, round ${round + 1}/${rounds}, ${label}: ${Math.round(run.rate).toLocaleString("en-US")} msgs/s, ${run.cpu.toFixed(1)} µs CPU/msg`);
        }
      }
      await ours.close();
      await peer.close();
      await bare.close();
      const pool = (runs: Run[]) => {
        const all = new Float64Array(runs.reduce((n, r) => n + r.latencies.length, 0));
        let at = 0;
        for (const run of runs) { all.set(run.latencies, at); at += run.latencies.length; }
        return all.sort();
      };
      const la = pool(a);
      const lb = pool(b);
      const rateA = a.map((r) => r.rate);
      const rateB = b.map((r) => r.rate);
      const bareRate = median(c.map((r) => r.rate));
      rows.push(
        higherIsBetter(`window ${window}: QoS 1 throughput, msgs/s`, median(rateA), median(rateB), "/s", 1.5,
          `bare socket ${formatNumber(bareRate, "/s")} = ${(bareRate / median(rateB)).toFixed(2)}x MQTT.js, ours at ${Math.round(median(rateA) / bareRate * 100)}% of it; `
          + `spread ±${(spread(rateA) * 50).toFixed(0)}% / ±${(spread(rateB) * 50).toFixed(0)}%`),
        lowerIsBetter(`window ${window}: latency p50, ms`, percentile(la, 50), percentile(lb, 50), "ms"),
        lowerIsBetter(`window ${window}: latency p99, ms`, percentile(la, 99), percentile(lb, 99), "ms"),
        lowerIsBetter(`window ${window}: client CPU per message, µs`, median(a.map((r) => r.cpu)), median(b.map((r) => r.cpu)), "µs",
          undefined, `client process busy ${percent(median(a.map((r) => r.cpu * r.rate)))} / ${percent(median(b.map((r) => r.cpu * r.rate)))}; bare socket ${median(c.map((r) => r.cpu)).toFixed(1)} µs`),
      );
      const brokerA = median(a.map((r) => r.brokerCpu));
      const brokerB = median(b.map((r) => r.brokerCpu));
      if (!Number.isNaN(brokerA)) {
        rows.push({
          metric: `window ${window}: broker CPU per message, µs`, ours: brokerA, peer: brokerB, unit: "µs",
          note: `broker busy ${percent(median(a.map((r) => r.brokerCpu * r.rate)))} / ${percent(median(b.map((r) => r.brokerCpu * r.rate)))}`,
        });
      }
    }
  }
  finally {
    await broker.stop();
  }
  notes.unshift(
    `${count.toLocaleString("en-US")} QoS 1 messages per round (a ${reading(1).length}-byte JSON reading to ${TOPIC}, made by JSON.stringify just before each publish), ${rounds} rounds per publisher and window, the order rotating, after ${warm.toLocaleString("en-US")} warm-up messages each; broker ${broker.name} on 127.0.0.1`,
    "ours: MQTTClient on sim/node/modules/tcp.ts (lwIP send-buffer model), inflightWindow = window; MQTT.js: MqttClient over net (noDelay), protocol 3.1.1, clean session, in-memory stores, no reconnect; the harness keeps exactly `window` publishes outstanding for both",
    "bare socket: a reference in the same rounds, tools/bench/bare-publisher.ts: packets encoded before timing, written to a noDelay Node socket, one per PUBACK read, at the same window; no client work at all. It is not a bound: a publisher that answers later answers larger batches, and can go faster",
    "latency: publish() call to PUBACK (promise settled), percentiles over all timed messages; CPU: user+system time per message of this process (client) and of the broker process (/proc, 10 ms ticks), median round; busy = CPU per message x messages/s, as a share of one core (each side is single-threaded, the machine has 2 cores)",
  );
  return {
    name: "publish",
    title: `QoS 1 publish to ${broker.name} (Node, in process)`,
    peer: `MQTT.js ${mqttVersion}`,
    rows,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}
