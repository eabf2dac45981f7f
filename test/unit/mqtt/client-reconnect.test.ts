/*
 * MQTT client, reconnecting: QoS 1 messages in flight when the link drops are
 * resent after reconnect in their original order with DUP set and their
 * original packet identifiers (4.4, 4.6), then new messages follow; messages
 * published while offline go out after reconnect; the birth message leads.
 * Backoff: full jitter under a doubling ceiling capped at maxDelay, reset
 * after a stable connection; a socket that cannot even be constructed is a
 * failed attempt.
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { type ClientOptions } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import type { PublishPacket } from "../../../src/mqtt/packets";
import { LinkError } from "../../../src/mqtt/transport";
import { FakeSocket } from "../../helpers/fake-socket";
import { setup as harnessSetup, BIG_GRANT, str, publishes, puback, connect, track, settle, waitForSocket } from "../../helpers/client-harness";

const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup(extra);

beforeEach(() => FakeSocket.reset());

// ---- tests ----

describe("client: resend after link loss (4.4)", () => {
  it("messages in flight are resent in order with DUP and their original ids, then the rest; none lost", async () => {
    const { client, timers, events } = setup({ inflightWindow: 3, random: () => 0.5, reconnect: { initialDelay: 1000 } });
    client.start();
    const first = connect();
    const results = ["m0", "m1", "m2", "m3", "m4"].map((m) => track(client.publish("t", m, { qos: 1, retain: m === "m2" })));
    const sent = publishes(first.take());
    assert.deepEqual(sent.map((p) => str(p.payload)), ["m0", "m1", "m2"]);
    const id = new Map(sent.map((p) => [str(p.payload), p.packetId!]));
    first.deliver(puback(id.get("m1")!));
    const [m3] = publishes(first.take());
    assert.equal(str(m3.payload), "m3");
    id.set("m3", m3.packetId!);
    await settle();
    assert.equal(results[1].status, "resolved");

    // The link drops with m0, m2, m3 in flight and m4 waiting.
    first.fail("connection reset");
    assert.equal(client.state, "waiting");
    assert.equal(events.disconnects.length, 1);
    assert.ok(events.disconnects[0] instanceof LinkError);
    assert.equal((events.disconnects[0] as LinkError).reason, "peer-closed");
    assert.equal(client.pending, 4);
    const offline = track(client.publish("t", "m5", { qos: 1 }));
    assert.equal(client.pending, 5);
    first.deliver(puback(id.get("m0")!)); // a late ack on the dead link changes nothing
    await settle();
    assert.deepEqual(results.map((r) => r.status), ["pending", "resolved", "pending", "pending", "pending"]);

    timers.advance(500);
    assert.equal(FakeSocket.all.length, 2);
    const second = connect();
    const resent = publishes(second.take());
    assert.deepEqual(resent.map((p) => [str(p.payload), p.packetId, p.dup]), [
      ["m0", id.get("m0"), true],
      ["m2", id.get("m2"), true],
      ["m3", id.get("m3"), true],
    ]);
    assert.equal(resent[1].retain, true, "a resent message keeps its retain flag");
    assert.equal(resent[1].qos, 1);
    assert.equal(client.stats.resent, 3);

    // Acks let the waiting messages out: new, DUP clear, ids not in use.
    const wire: PublishPacket[] = [...resent];
    for (const p of resent) {
      second.deliver(puback(p.packetId!));
      wire.push(...publishes(second.take()));
    }
    const fresh = wire.slice(3);
    assert.deepEqual(fresh.map((p) => [str(p.payload), p.dup]), [["m4", false], ["m5", false]]);
    for (const p of fresh) assert.ok(![...id.values()].includes(p.packetId!) || p.packetId === id.get("m1"), `id ${p.packetId} collides with a resent message`);
    for (const p of fresh) second.deliver(puback(p.packetId!));
    await settle();
    assert.deepEqual(results.map((r) => r.status), Array(5).fill("resolved"));
    assert.equal(offline.status, "resolved");
    assert.equal(client.pending, 0);
    assert.deepEqual(second.take(), []);
    assert.deepEqual(wire.map((p) => str(p.payload)), ["m0", "m2", "m3", "m4", "m5"], "each unacknowledged message exactly once on the new link");
  });

  it("a message lost twice is resent twice, still with its original id", () => {
    const { client, timers } = setup({ random: () => 0 });
    client.start();
    let socket = connect();
    track(client.publish("t", "a", { qos: 1 }));
    const [original] = publishes(socket.take());
    for (let round = 0; round < 2; round++) {
      socket.fail();
      timers.advance(0);
      socket = connect();
      const [again] = publishes(socket.take());
      assert.equal(str(again.payload), "a");
      assert.equal(again.packetId, original.packetId);
      assert.equal(again.dup, true);
    }
    assert.equal(client.stats.resent, 2);
  });

  it("QoS 1 messages published before start() or while waiting go out after connecting, in order, DUP clear", async () => {
    const { client, timers } = setup({ random: () => 0.5 });
    const results = [track(client.publish("t", "before-start", { qos: 1 }))];
    client.start();
    results.push(track(client.publish("t", "connecting", { qos: 1 })));
    FakeSocket.last.fail(); // refused: never connected
    assert.equal(client.state, "waiting");
    results.push(track(client.publish("t", "waiting", { qos: 1 })));
    timers.advance(2000);
    const socket = connect();
    const sent = publishes(socket.take());
    assert.deepEqual(sent.map((p) => [str(p.payload), p.dup]), [["before-start", false], ["connecting", false], ["waiting", false]]);
    assert.equal(new Set(sent.map((p) => p.packetId)).size, 3);
    for (const p of sent) socket.deliver(puback(p.packetId!));
    await settle();
    assert.deepEqual(results.map((r) => r.status), ["resolved", "resolved", "resolved"]);
    assert.equal(client.stats.resent, 0);
  });

  it("the birth message is sent first on every connection, before resent messages", () => {
    const { client, timers } = setup({ random: () => 0, birth: { topic: "s/status", payload: "online", qos: 1, retain: true } });
    client.start();
    let socket = connect();
    const [birth] = publishes(socket.take());
    assert.equal(birth.topic, "s/status");
    socket.deliver(puback(birth.packetId!));
    track(client.publish("t", "a", { qos: 1 }));
    const [a] = publishes(socket.take());
    socket.fail();
    timers.advance(0);
    socket = connect();
    const sent = publishes(socket.take());
    assert.deepEqual(sent.map((p) => [p.topic, p.dup]), [["s/status", false], ["t", true]]);
    assert.equal(sent[1].packetId, a.packetId);
    assert.notEqual(sent[0].packetId, sent[1].packetId);
  });

  it("an unacknowledged QoS 1 birth message is not resent as a duplicate; it is announced afresh", () => {
    const { client, timers } = setup({ random: () => 0, birth: { topic: "s/status", payload: "online", qos: 1, retain: true } });
    client.start();
    let socket = connect();
    assert.equal(publishes(socket.take()).length, 1);
    socket.fail();
    timers.advance(0);
    socket = connect();
    const sent = publishes(socket.take());
    assert.deepEqual(sent.map((p) => [p.topic, p.dup]), [["s/status", false]], "one birth message, DUP clear");
    assert.equal(client.pending, 0, "the birth message is not counted among the application's messages");
    socket.deliver(puback(sent[0].packetId!));
    socket.fail();
    timers.advance(0);
    socket = connect();
    assert.deepEqual(publishes(socket.take()).map((p) => [p.topic, p.dup]), [["s/status", false]], "acknowledged: announced afresh, not resent");
  });

  it("the birth message never takes the packet id of a message waiting to be resent (2.3.1-2)", () => {
    const { client, timers } = setup({ random: () => 0, keepalive: 0, inflightWindow: 2, birth: { topic: "s/status", payload: "online", qos: 1 } });
    client.start();
    let socket = connect();
    const [birth] = publishes(socket.take());
    socket.deliver(puback(birth.packetId!));
    track(client.publish("t", "held", { qos: 1 }));
    const [held] = publishes(socket.take());
    // Cycle ids until the next one the client would pick is the held message's id.
    let lastId = held.packetId!;
    const nextAfter = (id: number) => (id === 65_535 ? 1 : id + 1);
    for (let i = 0; i < 70_000; i++) {
      track(client.publish("t", "x", { qos: 1 }));
      const [p] = publishes(socket.take());
      socket.deliver(puback(p.packetId!));
      lastId = p.packetId!;
      if (nextAfter(lastId) === held.packetId) break;
    }
    assert.equal(nextAfter(lastId), held.packetId, "set-up: the id counter now points at the held message's id");

    socket.fail();
    timers.advance(0);
    socket = connect();
    const sent = publishes(socket.take());
    assert.deepEqual(sent.map((p) => p.topic), ["s/status", "t"]);
    assert.equal(sent[1].packetId, held.packetId);
    assert.notEqual(sent[0].packetId, sent[1].packetId, `birth and the resent message both use packet id ${sent[1].packetId} while unacknowledged`);
  });
});

describe("client: reconnect backoff (full jitter)", () => {
  it("with random() = 0.999 the delays approach initialDelay, 2x, 4x, ... capped at maxDelay", () => {
    const { client, timers } = setup({ random: () => 0.999, reconnect: { initialDelay: 1000, maxDelay: 16_000 } });
    client.start();
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000, 16_000];
    const delays: number[] = [];
    for (const ceiling of ceilings) {
      FakeSocket.last.fail("connection refused");
      assert.equal(client.state, "waiting");
      const delay = waitForSocket(timers, 20_000);
      delays.push(delay);
      assert.ok(delay <= ceiling && delay >= ceiling * 0.99, `delay ${delay} ms, ceiling ${ceiling} ms (all: ${delays})`);
    }
    assert.equal(client.stats.disconnects, ceilings.length);
  });

  it("the delay is random below the ceiling: random() = 0.25 gives a quarter of it", () => {
    const { client, timers } = setup({ random: () => 0.25, reconnect: { initialDelay: 1000, maxDelay: 4000 } });
    client.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      FakeSocket.last.fail();
      delays.push(waitForSocket(timers, 10_000));
    }
    assert.deepEqual(delays, [250, 500, 1000, 1000]);
  });

  it("with random() = 0 every reconnection is immediate", () => {
    const { client, timers } = setup({ random: () => 0, reconnect: { initialDelay: 1000, maxDelay: 60_000 } });
    client.start();
    for (let i = 0; i < 12; i++) {
      FakeSocket.last.fail();
      assert.equal(waitForSocket(timers, 1), 0);
    }
    assert.equal(timers.now(), 0);
    connect();
    assert.equal(client.state, "connected");
  });

  it("a connection that lasted stableAfter resets the backoff; a shorter one does not", () => {
    const run = (lasted: number): number => {
      FakeSocket.reset();
      const { client, timers } = setup({ random: () => 0.999, keepalive: 0, reconnect: { initialDelay: 1000, maxDelay: 60_000, stableAfter: 30_000 } });
      client.start();
      for (let i = 0; i < 3; i++) {
        FakeSocket.last.fail();
        waitForSocket(timers, 10_000); // ~1 s, ~2 s, ~4 s
      }
      const socket = connect();
      assert.equal(client.state, "connected");
      timers.advance(lasted);
      socket.fail();
      return waitForSocket(timers, 20_000);
    };
    const afterStable = run(30_000);
    assert.ok(afterStable <= 1000 && afterStable >= 990, `after a stable connection the delay is back to ~initialDelay, got ${afterStable}`);
    const afterShort = run(29_999);
    assert.ok(afterShort <= 8000 && afterShort >= 7920, `after a short connection the backoff keeps growing (~8 s), got ${afterShort}`);
  });

  it("a refused CONNACK does not reset the backoff", () => {
    const { client, timers } = setup({ random: () => 0.999, reconnect: { initialDelay: 1000, maxDelay: 60_000 } });
    client.start();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const socket = FakeSocket.last;
      socket.accept(BIG_GRANT);
      socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: 3 }));
      delays.push(waitForSocket(timers, 10_000));
    }
    assert.ok(delays[0] >= 990 && delays[1] >= 1980 && delays[2] >= 3960, `delays ${delays}`);
  });

  it("a socket constructor that throws (e.g. bad address) is a failed attempt, not a crash", () => {
    let failures = 3;
    class BadAddressSocket extends FakeSocket {
      constructor(options: ConstructorParameters<typeof FakeSocket>[0]) {
        if (failures > 0) {
          failures--;
          throw new Error("invalid address");
        }
        super(options);
      }
    }
    const { client, timers, events } = setup({ socket: { io: BadAddressSocket }, random: () => 0.5, reconnect: { initialDelay: 1000 } });
    assert.doesNotThrow(() => client.start());
    assert.equal(client.state, "waiting");
    assert.equal(FakeSocket.all.length, 0);
    assert.equal(events.errors.length, 1);
    const error = events.errors[0];
    assert.ok(error instanceof LinkError, `got ${String(error)}`);
    assert.equal(error.reason, "socket");
    assert.match(error.message, /invalid address/);
    assert.deepEqual(events.disconnects, []);

    // Each failed construction backs off like any failed attempt: 500, 1000, 2000 ms with random() = 0.5.
    assert.doesNotThrow(() => timers.advance(500));
    assert.equal(events.errors.length, 2);
    assert.doesNotThrow(() => timers.advance(1000));
    assert.equal(events.errors.length, 3);
    assert.equal(failures, 0);
    timers.advance(1999);
    assert.equal(FakeSocket.all.length, 0);
    timers.advance(1);
    assert.equal(FakeSocket.all.length, 1, "the fourth attempt gets a socket");
    assert.equal(events.errors.length, 3);
    connect();
    assert.equal(client.state, "connected");
    assert.equal(client.stats.disconnects, 3);
    assert.equal(client.stats.connects, 1);
  });

  it("after the peer closes a working link, the client reconnects and works again", async () => {
    const { client, timers, events } = setup({ random: () => 0.5 });
    client.start();
    connect();
    FakeSocket.last.fail("peer closed");
    assert.equal(events.disconnects.length, 1);
    timers.advance(500);
    const socket = connect();
    assert.equal(events.connects.length, 2);
    assert.equal(client.stats.connects, 2);
    assert.equal(client.stats.disconnects, 1);
    const result = track(client.publish("t", "after", { qos: 1 }));
    const [p] = publishes(socket.take());
    socket.deliver(puback(p.packetId!));
    await settle();
    assert.equal(result.status, "resolved");
  });
});
