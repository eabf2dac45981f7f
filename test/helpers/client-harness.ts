/*
 * Shared set-up for the MQTT client's unit tests: a client on an in-memory
 * ECMA-419 socket (FakeSocket) and a virtual clock (VirtualTimers), with the
 * test playing the broker.
 */

import assert from "node:assert/strict";
import { type ClientOptions, MQTTClient } from "../../src/mqtt/client";
import { encode } from "../../src/mqtt/encoder";
import type { Packet, PublishPacket, QoS } from "../../src/mqtt/packets";
import { FakeSocket } from "./fake-socket";
import { VirtualTimers } from "./virtual-timers";

/** A send buffer large enough that backpressure never shows unless a test wants it. */
export const BIG_GRANT = 1 << 30;

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const publishes = (packets: Packet[]): PublishPacket[] => packets.filter((p): p is PublishPacket => p.type === "publish");
export const puback = (packetId: number): Uint8Array => encode({ type: "puback", packetId });
/** Types of the packets the client sent since the last look. */
export const types = (socket: FakeSocket): string[] => socket.take().map((p) => p.type);

export interface Received { topic: string; payload: Uint8Array; qos: QoS; retain: boolean }

export interface Events {
  connects: { sessionPresent: boolean }[];
  disconnects: Error[];
  errors: Error[];
  /** Virtual time of each error. */
  errorTimes: number[];
  messages: Received[];
}

export function setup(extra: Partial<ClientOptions> = {}) {
  const timers = new VirtualTimers();
  const events: Events = { connects: [], disconnects: [], errors: [], errorTimes: [], messages: [] };
  const client = new MQTTClient({
    socket: { io: FakeSocket },
    address: "192.0.2.10",
    clientId: "sensor-1",
    timers,
    random: () => 0.5,
    onConnect: (info) => events.connects.push(info),
    onDisconnect: (error) => events.disconnects.push(error),
    onError: (error) => {
      events.errors.push(error);
      events.errorTimes.push(timers.now());
    },
    // Copy: the payload may be a view into the read buffer.
    onMessage: (message) => events.messages.push({ ...message, payload: message.payload.slice() }),
    ...extra,
  });
  return { client, timers, events };
}

/** The newest socket opens and the broker accepts the CONNECT on it. */
export function connect(sessionPresent = false): FakeSocket {
  const socket = FakeSocket.last;
  socket.accept(BIG_GRANT);
  assert.deepEqual(socket.take().map((p) => p.type), ["connect"]);
  socket.deliver(encode({ type: "connack", sessionPresent, returnCode: 0 }));
  return socket;
}

export type Settled = { status: "pending" | "resolved" | "rejected"; error?: unknown; value?: unknown };

/** Watches a promise without leaving it unhandled. */
export function track(promise: Promise<unknown>): Settled {
  const state: Settled = { status: "pending" };
  promise.then((value) => { state.status = "resolved"; state.value = value; }, (error: unknown) => { state.status = "rejected"; state.error = error; });
  return state;
}

/** Lets promise callbacks run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Advances the clock 1 ms at a time until a new socket is opened; returns the wait in ms. */
export function waitForSocket(timers: VirtualTimers, limit: number): number {
  const count = FakeSocket.all.length;
  timers.advance(0);
  for (let waited = 0; ; waited++) {
    if (FakeSocket.all.length > count) return waited;
    assert.ok(waited < limit, `no new connection attempt within ${limit} ms`);
    timers.advance(1);
  }
}

/** Every piece of text an error carries, for "never shows X" checks. */
export function everything(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return [error.name, error.message, error.stack ?? "", JSON.stringify(error), String(error), error.cause === undefined ? "" : everything(error.cause)].join("\n");
}
