/*
 * MQTT client, keepalive (3.1.2.10, 3.12, 3.13) on a virtual clock: a
 * PINGREQ exactly when nothing was sent for the keepalive period, postponed
 * by other packets; any packet from the broker proves the link; a broker that
 * stops answering is detected within 1.5 x keepalive and the client
 * reconnects; keepalive 0 turns it all off.
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { type ClientOptions, TimeoutError } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import { FakeSocket } from "../../helpers/fake-socket";
import { setup as harnessSetup, BIG_GRANT, types, connect } from "../../helpers/client-harness";

const KEEPALIVE = 10; // seconds
const K = KEEPALIVE * 1000;
const pingresp = encode({ type: "pingresp" });
const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup({ keepalive: KEEPALIVE, ...extra });

beforeEach(() => FakeSocket.reset());

// ---- tests ----

describe("client: PINGREQ timing", () => {
  it("PINGREQ exactly keepalive after the CONNECT was sent when nothing else was sent, not before", () => {
    const { client, timers } = setup();
    client.start();
    timers.advance(100);
    const socket = FakeSocket.last;
    socket.accept(BIG_GRANT); // CONNECT goes out at t = 100
    assert.deepEqual(types(socket), ["connect"]);
    timers.advance(400);
    socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: 0 })); // received at t = 500
    timers.advanceTo(100 + K - 1);
    assert.deepEqual(types(socket), [], "no PINGREQ before the keepalive period has passed");
    timers.advance(1);
    assert.deepEqual(types(socket), ["pingreq"], "PINGREQ when nothing was sent for a whole keepalive period");
    assert.equal(client.state, "connected");
  });

  it("answered pings repeat every keepalive period and keep the link for a long time", () => {
    const { client, timers, events } = setup();
    client.start();
    const socket = connect();
    for (let i = 1; i <= 20; i++) {
      timers.advanceTo(i * K - 1);
      assert.deepEqual(types(socket), [], `nothing before ping ${i}`);
      timers.advance(1);
      assert.deepEqual(types(socket), ["pingreq"], `ping ${i} at ${i * K} ms`);
      timers.advance(50 + i * 10); // the broker answers after a varying delay
      socket.deliver(pingresp);
    }
    assert.equal(client.state, "connected");
    assert.equal(FakeSocket.all.length, 1);
    assert.deepEqual(events.errors, []);
  });

  it("a PUBLISH sent (and acknowledged) in between postpones the PINGREQ to keepalive after it", async () => {
    const { client, timers } = setup();
    client.start();
    const socket = connect(); // CONNECT at t = 0
    timers.advance(6000);
    const done = client.publish("t", "x", { qos: 1 });
    const [sent] = socket.take();
    assert.equal(sent.type, "publish");
    socket.deliver(encode({ type: "puback", packetId: (sent as { packetId: number }).packetId }));
    await done;
    timers.advanceTo(K);
    assert.deepEqual(types(socket), [], "no PINGREQ at t = keepalive: packets went both ways at t = 6 s");
    timers.advanceTo(6000 + K - 1);
    assert.deepEqual(types(socket), []);
    timers.advance(1);
    assert.deepEqual(types(socket), ["pingreq"]);
  });

  it("a PUBACK the client sends for an incoming QoS 1 message also counts as sending", () => {
    const { timers, client } = setup();
    client.start();
    const socket = connect();
    timers.advance(3000);
    socket.deliver(encode({ type: "publish", topic: "cmd", payload: new Uint8Array(1), qos: 1, retain: false, dup: false, packetId: 9 }));
    assert.deepEqual(types(socket), ["puback"]);
    timers.advanceTo(3000 + K - 1);
    assert.deepEqual(types(socket), []);
    timers.advance(1);
    assert.deepEqual(types(socket), ["pingreq"]);
  });

  it("packets received do not count as sending: a QoS 0 message from the broker does not postpone the PINGREQ", () => {
    const { timers, client } = setup();
    client.start();
    const socket = connect();
    timers.advance(5000);
    socket.deliver(encode({ type: "publish", topic: "cmd", payload: new Uint8Array(1), qos: 0, retain: false, dup: false }));
    timers.advanceTo(K);
    assert.deepEqual(types(socket), ["pingreq"]);
  });

  it("keepalive 0 never sends PINGREQ and never times out", () => {
    const { client, timers, events } = setup({ keepalive: 0 });
    client.start();
    const socket = connect();
    timers.advance(24 * 3600 * 1000);
    assert.deepEqual(types(socket), []);
    assert.equal(client.state, "connected");
    assert.deepEqual(events.errors, []);
    assert.equal(FakeSocket.all.length, 1);
  });

  it("the largest keepalive, 65535 s, pings at 65535 s", () => {
    const { client, timers } = setup({ keepalive: 65_535 });
    client.start();
    const socket = connect();
    timers.advance(65_535_000 - 1);
    assert.deepEqual(types(socket), []);
    timers.advance(1);
    assert.deepEqual(types(socket), ["pingreq"]);
  });
});

describe("client: half-open link detection", () => {
  it("no answer to PINGREQ: TimeoutError keepalive-timeout within 1.5 x keepalive, then a reconnect", () => {
    const { client, timers, events } = setup({ random: () => 0.5, reconnect: { initialDelay: 1000 } });
    client.start();
    const socket = connect(); // CONNECT sent and CONNACK received at t = 0
    timers.advanceTo(K);
    assert.deepEqual(types(socket), ["pingreq"]);
    assert.equal(client.state, "connected", "not dropped as the PINGREQ goes out");
    while (client.state === "connected" && timers.now() < 3 * K) timers.advance(10);
    assert.equal(client.state, "waiting");
    const dropped = events.errorTimes[0];
    assert.ok(dropped > K && dropped <= 1.5 * K, `dropped at ${dropped} ms; keepalive ${K} ms`);
    assert.equal(events.errors.length, 1);
    const error = events.errors[0];
    assert.ok(error instanceof TimeoutError, `got ${String(error)}`);
    assert.equal(error.reason, "keepalive-timeout");
    assert.deepEqual(events.disconnects, [error]);
    assert.equal(socket.closed, true);
    assert.deepEqual(types(socket), [], "nothing more on the abandoned link");

    timers.advanceTo(dropped + 500);
    assert.equal(FakeSocket.all.length, 2, "reconnects after the backoff");
    const again = connect();
    assert.equal(client.state, "connected");
    // Keepalive runs on the new link from its own CONNECT.
    const connectedAt = timers.now();
    timers.advanceTo(connectedAt + K);
    assert.deepEqual(types(again), ["pingreq"]);
    again.deliver(pingresp);
    timers.advance(K / 2 + 1);
    assert.equal(client.state, "connected");
  });

  it("a PINGRESP just in time keeps the link", () => {
    const { client, timers, events } = setup();
    client.start();
    const socket = connect();
    timers.advanceTo(K);
    assert.deepEqual(types(socket), ["pingreq"]);
    timers.advance(K / 2 - 1);
    socket.deliver(pingresp);
    timers.advanceTo(2 * K - 1);
    assert.equal(client.state, "connected");
    assert.deepEqual(events.errors, []);
  });

  it("any packet from the broker after a PINGREQ keeps the link, not only PINGRESP", () => {
    const { client, timers, events } = setup();
    client.start();
    const socket = connect();
    timers.advanceTo(K);
    assert.deepEqual(types(socket), ["pingreq"]);
    timers.advance(2000);
    socket.deliver(encode({ type: "publish", topic: "cmd", payload: new Uint8Array(0), qos: 0, retain: false, dup: false }));
    timers.advanceTo(2 * K - 1);
    assert.equal(client.state, "connected");
    assert.deepEqual(events.errors, []);
    timers.advance(1);
    assert.deepEqual(types(socket), ["pingreq"], "the next PINGREQ a keepalive after the last one");
  });

  it("a broker that falls silent is detected within 1.5 x keepalive of the last packet received, even while the client keeps publishing", async () => {
    // Judgement call: the client's own doc promises "a half-open link (no packet within 1.5 x keepalive)".
    const { client, timers, events } = setup();
    client.start();
    connect(); // the last packet the broker ever sends: CONNACK at t = 0
    while (client.state === "connected" && timers.now() < 6 * K) {
      await client.publish("sensors/t", "21.5"); // QoS 0 telemetry every 4 s
      timers.advance(4000);
    }
    assert.notEqual(client.state, "connected", `still connected after ${timers.now()} ms of silence from the broker`);
    assert.ok(events.errorTimes[0] <= 1.5 * K, `dropped at ${events.errorTimes[0]} ms`);
    assert.ok(events.errors[0] instanceof TimeoutError);
    assert.equal((events.errors[0] as TimeoutError).reason, "keepalive-timeout");
  });

  it("no keepalive activity while waiting to reconnect", () => {
    const { client, timers } = setup({ reconnect: { initialDelay: 600_000, maxDelay: 600_000 } });
    client.start();
    const socket = connect();
    socket.fail();
    assert.equal(client.state, "waiting");
    timers.advance(5 * K);
    assert.deepEqual(types(socket), []);
    assert.equal(FakeSocket.all.length, 1);
  });
});
