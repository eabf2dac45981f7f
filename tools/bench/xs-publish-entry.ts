/*
 * Bench firmware for the XS host (bundled by tools/bench/xs-bundle.ts, run by
 * tools/bench/xs.ts). Held to the firmware's rules: it imports only the MQTT
 * client, `embedded:io/socket/tcp`, `timer` and `mc/config` (the XS host's
 * bridge comes in with the device modules, which import it first), and uses
 * only globals a device has.
 *
 * 1. Connects to the broker in `mc/config` and publishes `bench.count` QoS 1
 *    messages as fast as the in-flight window allows (the window is the
 *    client's `inflightWindow`; the bench keeps exactly that many publishes
 *    outstanding). It stops at each of `bench.stops` once every message sent
 *    is acknowledged, and measures the heap there (see `checkpoint`).
 * 2. Publishes `bench.loopback` QoS 1 messages through a client whose socket
 *    is an in-engine loopback that acknowledges every PUBLISH: the engine's
 *    cost of the client, transport and codec without the XS host's bridge.
 *
 * It reports through `trace` lines starting with "BENCH ", which the host
 * side uses to attribute the engine's per-delivery meters to phases:
 *   BENCH connected | heap <label> | publish start|resume|pause <acked>
 *   BENCH progress <acked> | loopback start|end <count> | done | error <message>
 */

import TCP from "embedded:io/socket/tcp";
import config from "mc/config";
import { deviceTimers } from "../../src/app/device-timers";
import { MQTTClient } from "../../src/mqtt/client";
import type { SocketConstructor } from "../../src/mqtt/transport";
import { later, mark, markHeap } from "./xs-bench-firmware";

const settings = {
  address: String(config["bench.address"]),
  port: Number(config["bench.port"]),
  count: Number(config["bench.count"]),
  stops: (config["bench.stops"] as number[]).slice(),
  window: Number(config["bench.window"]),
  progress: Number(config["bench.progress"]),
  loopback: Number(config["bench.loopback"]),
  loopbackBatch: 1000,
  /** 8 MiB buffers of garbage allocated to force a collection at a checkpoint. */
  pressure: Number(config["bench.pressure"]),
};

const TOPIC = "home/livingroom/temperature";
/** A reading as the firmware publishes it (a string: the client encodes it, as in the firmware). */
const PAYLOAD = JSON.stringify({ value: 21.5, unit: "°C", ts: 1795370428594, seq: 1 });

/** Reads the live heap at a quiet point (nothing in flight): see ./xs-bench-firmware.ts. */
function checkpoint(label: string, then: () => void): void {
  later(() => {
    markHeap(label, settings.pressure);
    later(then);
  });
}

/**
 * Keeps `window` publishes outstanding until `limit` messages are sent;
 * `onQuiet` runs once all of them are acknowledged. `pauseEvery` (loopback)
 * yields to a new delivery every so many acknowledgements.
 */
class Publisher {
  sent = 0;
  acked = 0;
  limit = 0;
  #outstanding = 0;
  #held = false;
  onQuiet: () => void = () => undefined;
  readonly #client: MQTTClient;
  readonly #window: number;
  readonly #progress: number;
  readonly #pauseEvery: number;

  constructor(client: MQTTClient, window: number, progress: number, pauseEvery = 0) {
    this.#client = client;
    this.#window = window;
    this.#progress = progress;
    this.#pauseEvery = pauseEvery;
  }

  run(limit: number): void {
    this.limit = limit;
    this.#pump();
  }

  #pump(): void {
    while (!this.#held && this.#outstanding < this.#window && this.sent < this.limit) {
      this.#outstanding++;
      this.sent++;
      this.#client.publish(TOPIC, PAYLOAD, { qos: 1 }).then(() => this.#acknowledged(), (error: Error) => {
        mark(`error publish ${this.sent}: ${error.message}`);
      });
    }
  }

  #acknowledged(): void {
    this.#outstanding--;
    this.acked++;
    if (this.#progress && this.acked % this.#progress === 0) mark(`progress ${this.acked}`);
    if (this.acked === this.limit) return this.onQuiet();
    if (this.#pauseEvery && this.acked % this.#pauseEvery === 0) {
      this.#held = true;
      later(() => { this.#held = false; this.#pump(); });
      return;
    }
    this.#pump();
  }
}

// ---- 1. Through the XS host's TCP bridge to the broker

let connected = false;
const client = new MQTTClient({
  socket: { io: TCP as unknown as SocketConstructor },
  address: settings.address,
  port: settings.port,
  clientId: "xs-bench",
  keepalive: 60,
  timers: deviceTimers,
  inflightWindow: settings.window,
  onConnect: () => {
    if (connected) return mark("error reconnected: the run is not comparable");
    connected = true;
    mark("connected");
    checkpoint("connect", () => next());
  },
  onError: (error) => mark(`error client: ${error.message}`),
});

const publisher = new Publisher(client, settings.window, settings.progress);
let started = false;

function next(): void {
  const stop = settings.stops.shift();
  if (stop === undefined) {
    client.close(100);
    return later(loopback);
  }
  mark(`publish ${started ? "resume" : "start"} ${publisher.acked}`);
  started = true;
  publisher.run(stop);
}

publisher.onQuiet = () => {
  mark(`publish pause ${publisher.acked}`);
  checkpoint(String(publisher.acked), () => next());
};

// ---- 2. In-engine loopback: no bridge, no network

interface LoopbackOptions {
  onReadable(this: unknown, count: number): void;
  onWritable(this: unknown, count: number): void;
}

const GRANT = 1 << 20;

/** An ECMA-419-shaped socket that answers CONNECT, PUBLISH QoS 1 and PINGREQ at once, a promise job later. */
class LoopbackSocket {
  readonly #options: LoopbackOptions;
  #replies: Uint8Array[] = [];
  #bytes = 0;
  #scheduled = false;
  #closed = false;

  constructor(options: LoopbackOptions) {
    this.#options = options;
    this.#schedule();
  }

  read(): ArrayBuffer | undefined {
    if (!this.#bytes) return undefined;
    const out = new Uint8Array(this.#bytes);
    let at = 0;
    for (const reply of this.#replies) {
      out.set(reply, at);
      at += reply.length;
    }
    this.#replies = [];
    this.#bytes = 0;
    return out.buffer;
  }

  /** Takes whole packets (the grant is large enough that the transport never splits one). */
  write(value: ArrayBuffer | ArrayBufferView): number {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    let at = 0;
    while (at < bytes.length) {
      const first = bytes[at];
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let byte: number;
      do {
        byte = bytes[i++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      } while (byte & 0x80);
      const type = first >> 4;
      if (type === 1) this.#reply(Uint8Array.of(0x20, 2, 0, 0));
      else if (type === 3 && (first & 0x06)) {
        const id = i + 2 + ((bytes[i] << 8) | bytes[i + 1]);
        this.#reply(Uint8Array.of(0x40, 2, bytes[id], bytes[id + 1]));
      }
      else if (type === 12) this.#reply(Uint8Array.of(0xd0, 0));
      at = i + length;
    }
    this.#schedule();
    return GRANT;
  }

  close(): void {
    this.#closed = true;
  }

  #reply(bytes: Uint8Array): void {
    this.#replies.push(bytes);
    this.#bytes += bytes.length;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    Promise.resolve().then(() => {
      this.#scheduled = false;
      if (this.#closed) return;
      if (this.#bytes) this.#options.onReadable.call(this, this.#bytes);
      if (!this.#closed) this.#options.onWritable.call(this, GRANT);
    });
  }
}

function loopback(): void {
  if (!settings.loopback) return mark("done");
  const local = new MQTTClient({
    socket: { io: LoopbackSocket as unknown as SocketConstructor },
    address: "127.0.0.1",
    clientId: "xs-bench-loopback",
    keepalive: 60,
    timers: deviceTimers,
    inflightWindow: settings.window,
    onConnect: () => {
      mark("loopback start 0");
      run.run(settings.loopback);
    },
    onError: (error) => mark(`error loopback: ${error.message}`),
  });
  const run = new Publisher(local, settings.window, 0, settings.loopbackBatch);
  run.onQuiet = () => {
    mark(`loopback end ${run.acked}`);
    local.close(0);
    later(() => mark("done"));
  };
  local.start();
}

mark(`start window=${settings.window} count=${settings.count}`);
client.start();
