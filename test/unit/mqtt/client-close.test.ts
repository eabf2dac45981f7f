/*
 * MQTT client, close(): DISCONNECT when connected (3.14: the broker then
 * discards the Will), the link closed, state "closed" for good, no reconnect
 * however long the clock runs, unacknowledged QoS 1 promises rejected.
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { type ClientOptions } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import { FakeSocket } from "../../helpers/fake-socket";
import { setup as harnessSetup, BIG_GRANT, connect, track, settle } from "../../helpers/client-harness";

const DAY = 24 * 3600 * 1000;
const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup({ keepalive: 10, will: { topic: "devices/sensor-1/status", payload: "offline", qos: 1, retain: true }, ...extra });

beforeEach(() => FakeSocket.reset());

// ---- tests ----

describe("client: close()", () => {
  it("when connected: DISCONNECT is the last packet, the socket closes, state closed, never reconnects", () => {
    const { client, timers, events } = setup();
    client.start();
    const socket = connect();
    timers.advance(3000);
    client.close();
    assert.deepEqual(socket.take(), [{ type: "disconnect" }]);
    assert.equal(socket.closed, true);
    assert.equal(client.state, "closed");
    timers.advance(30 * DAY);
    assert.equal(FakeSocket.all.length, 1, "no new socket after close()");
    assert.deepEqual(socket.take(), [], "no PINGREQ after close()");
    assert.deepEqual(events.errors, []);
    assert.equal(client.state, "closed");
  });

  it("unacknowledged QoS 1 messages, in flight and waiting, are rejected", async () => {
    const { client } = setup({ inflightWindow: 1 });
    client.start();
    const socket = connect();
    const inflight = track(client.publish("t", "in flight", { qos: 1 }));
    const waiting = track(client.publish("t", "waiting", { qos: 1 }));
    assert.equal(socket.take().length, 1);
    client.close();
    await settle();
    assert.equal(inflight.status, "rejected");
    assert.equal(waiting.status, "rejected");
    assert.ok(inflight.error instanceof Error);
    assert.equal(client.pending, 0);
    // A late PUBACK on the closed link changes nothing.
    socket.deliver(encode({ type: "puback", packetId: 1 }));
    assert.equal(client.state, "closed");
  });

  it("while waiting to reconnect: no DISCONNECT, the scheduled attempt is cancelled, queued messages rejected", async () => {
    const { client, timers, events } = setup();
    client.start();
    const socket = connect();
    const queued = track(client.publish("t", "x", { qos: 1 }));
    socket.take();
    socket.fail();
    assert.equal(client.state, "waiting");
    const errorsBefore = events.errors.length;
    client.close();
    assert.equal(client.state, "closed");
    timers.advance(30 * DAY);
    assert.equal(FakeSocket.all.length, 1);
    assert.deepEqual(socket.take(), []);
    assert.equal(events.errors.length, errorsBefore);
    await settle();
    assert.equal(queued.status, "rejected");
  });

  it("while connecting (CONNECT sent, no CONNACK): no DISCONNECT, the socket closes, no connect timeout later", () => {
    const { client, timers, events } = setup({ connectTimeout: 5000 });
    client.start();
    const socket = FakeSocket.last;
    socket.accept(BIG_GRANT);
    socket.take();
    client.close();
    assert.deepEqual(socket.take(), [], "DISCONNECT only on a connected link");
    assert.equal(socket.closed, true);
    timers.advance(DAY);
    assert.deepEqual(events.errors, []);
    assert.equal(FakeSocket.all.length, 1);
    // A CONNACK arriving late is ignored.
    socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: 0 }));
    assert.equal(client.state, "closed");
    assert.equal(events.connects.length, 0);
  });

  it("before start(): closed for good; start() then throws and publish rejects", async () => {
    const { client } = setup();
    const early = track(client.publish("t", "x", { qos: 1 }));
    client.close();
    assert.equal(client.state, "closed");
    assert.throws(() => client.start());
    assert.equal(FakeSocket.all.length, 0);
    await assert.rejects(client.publish("t", "y", { qos: 1 }));
    await assert.rejects(client.publish("t", "z"));
    await settle();
    assert.equal(early.status, "rejected");
  });

  it("close() twice is harmless and sends one DISCONNECT", () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    client.close();
    client.close();
    assert.deepEqual(socket.take(), [{ type: "disconnect" }]);
  });

  it("publish after close() rejects and sends nothing", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    client.close();
    socket.take();
    await assert.rejects(client.publish("t", "late", { qos: 1 }));
    await assert.rejects(client.publish("t", "late"));
    assert.deepEqual(socket.take(), []);
  });

  it("incoming messages after close() do not reach onMessage", () => {
    const messages: string[] = [];
    const { client } = setup({ onMessage: (m) => messages.push(m.topic) });
    client.start();
    const socket = connect();
    client.close();
    socket.deliver(encode({ type: "publish", topic: "late", payload: new Uint8Array(1), qos: 0, retain: false, dup: false }));
    assert.deepEqual(messages, []);
  });

  it("DISCONNECT still reaches the broker when the socket was backed up at close() (otherwise the broker publishes the Will)", () => {
    // Judgement call: close() is synchronous and drops what the socket has not taken yet.
    const { client } = setup({ keepalive: 0 });
    client.start();
    const socket = connect();
    socket.grant(0); // the socket's send buffer is full
    void client.publish("t", new Uint8Array(100));
    client.close();
    for (let i = 0; i < 100; i++) socket.grant(64); // the buffer drains
    const sent = socket.take().map((p) => p.type);
    assert.equal(sent.at(-1), "disconnect", `sent after close(): ${JSON.stringify(sent)}`);
  });
});
