/*
 * MQTT client, publishing: QoS 0 and QoS 1 (3.3, 4.3.2), PUBACK handling,
 * the in-flight window and the outbox limit, argument checks, packet
 * identifier allocation and wrap-around (2.3.1), and writes under socket
 * backpressure.
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { type ClientOptions, MQTTClient, OutboxFullError } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import type { PublishPacket } from "../../../src/mqtt/packets";
import { FakeSocket } from "../../helpers/fake-socket";
import { setup as harnessSetup, BIG_GRANT, text, str, publishes, puback, connect, track, settle, type Settled } from "../../helpers/client-harness";

const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup(extra);

beforeEach(() => FakeSocket.reset());

// ---- tests ----

describe("client: QoS 0 publish", () => {
  it("sends a PUBLISH without packet id, with the retain flag, and resolves", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    await client.publish("sensors/t", "21.5");
    await client.publish("sensors/h", new Uint8Array([1, 2, 3]), { qos: 0, retain: true });
    assert.deepStrictEqual(socket.take(), [
      { type: "publish", topic: "sensors/t", payload: text("21.5"), qos: 0, retain: false, dup: false },
      { type: "publish", topic: "sensors/h", payload: new Uint8Array([1, 2, 3]), qos: 0, retain: true, dup: false },
    ]);
    assert.equal(client.pending, 0);
  });

  it("rejects with OutboxFullError when not connected (idle, connecting, waiting), counted in stats.rejected", async () => {
    const { client, timers } = setup();
    await assert.rejects(client.publish("t", "idle"), OutboxFullError);
    client.start();
    await assert.rejects(client.publish("t", "connecting"), OutboxFullError);
    FakeSocket.last.accept(BIG_GRANT);
    await assert.rejects(client.publish("t", "CONNECT sent, no CONNACK yet"), OutboxFullError);
    FakeSocket.last.fail();
    assert.equal(client.state, "waiting");
    await assert.rejects(client.publish("t", "waiting"), (error: unknown) => error instanceof OutboxFullError && error.reason === "outbox-full");
    assert.equal(client.stats.rejected, 4);
    timers.advance(10_000);
    const socket = connect();
    assert.deepEqual(publishes(socket.take()), [], "rejected QoS 0 messages are not sent later");
  });
});

describe("client: QoS 1 publish (4.3.2)", () => {
  it("PUBLISH carries a packet id; the promise resolves on the PUBACK with that id", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    const result = track(client.publish("sensors/t", "21.5", { qos: 1, retain: true }));
    const [sent] = publishes(socket.take());
    assert.equal(sent.qos, 1);
    assert.equal(sent.retain, true);
    assert.equal(sent.dup, false);
    assert.equal(str(sent.payload), "21.5");
    assert.ok(Number.isInteger(sent.packetId) && sent.packetId! >= 1 && sent.packetId! <= 65535, `packet id ${sent.packetId}`);
    assert.equal(client.pending, 1);
    await settle();
    assert.equal(result.status, "pending", "not settled before PUBACK");
    socket.deliver(puback(sent.packetId!));
    await settle();
    assert.equal(result.status, "resolved");
    assert.equal(client.pending, 0);
  });

  it("consecutive messages get distinct packet ids", () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    for (let i = 0; i < 5; i++) track(client.publish("t", `m${i}`, { qos: 1 }));
    const ids = publishes(socket.take()).map((p) => p.packetId);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
  });

  it("a PUBACK with an unknown id, or a second PUBACK for the same id, is ignored", async () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    const first = track(client.publish("t", "a", { qos: 1 }));
    const second = track(client.publish("t", "b", { qos: 1 }));
    const [a, b] = publishes(socket.take()).map((p) => p.packetId!);
    const unknown = [1, 2, 3, 4, 65535].find((id) => id !== a && id !== b)!;
    socket.deliver(puback(unknown));
    await settle();
    assert.deepEqual([first.status, second.status], ["pending", "pending"]);
    assert.equal(client.pending, 2);

    socket.deliver(puback(a));
    socket.deliver(puback(a)); // duplicate
    await settle();
    assert.deepEqual([first.status, second.status], ["resolved", "pending"]);
    assert.equal(client.pending, 1);

    socket.deliver(puback(b));
    await settle();
    assert.equal(second.status, "resolved");
    assert.equal(client.state, "connected");
    assert.deepEqual(events.errors, []);
    assert.deepEqual(socket.take(), [], "nothing is sent in answer to a PUBACK");
    assert.equal(FakeSocket.all.length, 1);
  });

  it("the in-flight window bounds unacknowledged messages; the rest go out in order as PUBACKs arrive", async () => {
    const { client } = setup({ inflightWindow: 3 });
    client.start();
    const socket = connect();
    const results = Array.from({ length: 7 }, (_, i) => track(client.publish("t", `m${i}`, { qos: 1 })));
    assert.equal(client.pending, 7);

    const onWire = new Map<number, string>(); // unacknowledged: packet id -> payload
    const order: string[] = [];
    const collect = () => {
      for (const p of publishes(socket.take())) {
        assert.ok(!onWire.has(p.packetId!), `packet id ${p.packetId} reused while in flight`);
        onWire.set(p.packetId!, str(p.payload));
        order.push(str(p.payload));
      }
      assert.ok(onWire.size <= 3, `${onWire.size} messages unacknowledged on the wire, window is 3`);
    };
    collect();
    assert.deepEqual(order, ["m0", "m1", "m2"]);

    // Acknowledge out of order: the second, then the first, ...
    const ack = (payload: string) => {
      const id = [...onWire].find(([, p]) => p === payload)![0];
      onWire.delete(id);
      socket.deliver(puback(id));
      collect();
    };
    ack("m1");
    assert.deepEqual(order, ["m0", "m1", "m2", "m3"]);
    ack("m0");
    assert.deepEqual(order.slice(4), ["m4"]);
    ack("m2");
    assert.deepEqual(order.slice(5), ["m5"]);
    ack("m4");
    assert.deepEqual(order.slice(6), ["m6"]);
    for (const payload of ["m3", "m5", "m6"]) ack(payload);
    assert.deepEqual(order, ["m0", "m1", "m2", "m3", "m4", "m5", "m6"], "each message sent exactly once, in publish order");
    await settle();
    assert.deepEqual(results.map((r) => r.status), Array(7).fill("resolved"));
    assert.equal(client.pending, 0);
  });

  it("window 1: strictly one message at a time", () => {
    const { client } = setup({ inflightWindow: 1 });
    client.start();
    const socket = connect();
    for (let i = 0; i < 3; i++) track(client.publish("t", `m${i}`, { qos: 1 }));
    for (let i = 0; i < 3; i++) {
      const sent = publishes(socket.take());
      assert.deepEqual(sent.map((p) => str(p.payload)), [`m${i}`]);
      socket.deliver(puback(sent[0].packetId!));
    }
    assert.deepEqual(socket.take(), []);
  });
});

describe("client: outbox limit", () => {
  it("QoS 1 beyond outbox.messages rejects with OutboxFullError and counts in stats.rejected; room frees on PUBACK", async () => {
    const { client } = setup({ inflightWindow: 2, outbox: { messages: 3 } });
    client.start();
    const socket = connect();
    const held = [0, 1, 2].map((i) => track(client.publish("t", `m${i}`, { qos: 1 })));
    assert.equal(client.pending, 3);
    await assert.rejects(client.publish("t", "m3", { qos: 1 }), (error: unknown) => error instanceof OutboxFullError && error.reason === "outbox-full");
    await assert.rejects(client.publish("t", "m4", { qos: 1 }), OutboxFullError);
    assert.equal(client.stats.rejected, 2);
    assert.equal(client.pending, 3);

    const sent = publishes(socket.take());
    assert.deepEqual(sent.map((p) => str(p.payload)), ["m0", "m1"]);
    socket.deliver(puback(sent[0].packetId!));
    const later = track(client.publish("t", "m5", { qos: 1 }));
    assert.equal(client.pending, 3);
    assert.deepEqual(publishes(socket.take()).map((p) => str(p.payload)), ["m2"]);
    await settle();
    assert.deepEqual(held.map((r) => r.status), ["resolved", "pending", "pending"]);
    assert.equal(later.status, "pending");
    assert.equal(client.stats.rejected, 2);
  });

  it("the limit holds while offline too", async () => {
    const { client } = setup({ inflightWindow: 1, outbox: { messages: 2 } });
    track(client.publish("t", "a", { qos: 1 }));
    track(client.publish("t", "b", { qos: 1 }));
    await assert.rejects(client.publish("t", "c", { qos: 1 }), OutboxFullError);
    assert.equal(client.stats.rejected, 1);
    assert.equal(client.pending, 2);
  });

  it("a QoS 1 birth message does not count against the outbox limit (as its doc comment says)", async () => {
    const { client } = setup({ inflightWindow: 2, outbox: { messages: 2 }, birth: { topic: "s/status", payload: "online", qos: 1 } });
    client.start();
    const socket = connect();
    assert.equal(publishes(socket.take()).length, 1, "the birth message is in flight");
    const a = track(client.publish("t", "a", { qos: 1 }));
    const b = track(client.publish("t", "b", { qos: 1 }));
    await settle();
    assert.equal(a.status, "pending");
    assert.equal(b.status, "pending", `the second message was refused: ${String(b.error)}`);
    assert.equal(client.stats.rejected, 0);
  });
});

describe("client: publish argument checks throw synchronously", () => {
  const bad = (value: unknown) => value as never;
  const cases: [string, typeof TypeError | typeof RangeError, string, (c: MQTTClient) => unknown][] = [
    ["topic with +", TypeError, "topic", (c) => c.publish("sensors/+/t", "x")],
    ["topic with #", TypeError, "topic", (c) => c.publish("sensors/#", "x", { qos: 1 })],
    ["empty topic", TypeError, "topic", (c) => c.publish("", "x")],
    ["topic not a string", TypeError, "topic", (c) => c.publish(bad(42), "x")],
    ["topic with U+0000", TypeError, "topic", (c) => c.publish("a\u0000b", "x")],
    ["qos 3", RangeError, "qos", (c) => c.publish("t", "x", { qos: bad(3) })],
    ["payload over maxPayload", RangeError, "maxPayload", (c) => c.publish("t", new Uint8Array(16_385))],
    ["qos -1", RangeError, "qos", (c) => c.publish("t", "x", { qos: bad(-1) })],
    ["payload a number", TypeError, "payload", (c) => c.publish("t", bad(42))],
    ["payload null", TypeError, "payload", (c) => c.publish("t", bad(null))],
    ["payload an object", TypeError, "payload", (c) => c.publish("t", bad({ value: 1 }))],
    ["payload an ArrayBuffer", TypeError, "payload", (c) => c.publish("t", bad(new ArrayBuffer(2)))],
    ["retain not a boolean", TypeError, "retain", (c) => c.publish("t", "x", { retain: bad("yes") })],
  ];

  for (const [name, type, field, call] of cases) {
    it(`${name} -> ${type.name} naming ${field}, nothing sent or counted`, () => {
      const { client } = setup();
      client.start();
      const socket = connect();
      let thrown: unknown;
      try {
        call(client);
      }
      catch (error) {
        thrown = error;
      }
      assert.ok(thrown instanceof Error, "publish did not throw synchronously");
      assert.equal(thrown.constructor, type, `expected ${type.name}, got ${thrown.constructor.name}: ${thrown.message}`);
      assert.ok(thrown.message.includes(field), `message ${JSON.stringify(thrown.message)} does not name ${field}`);
      assert.deepEqual(socket.take(), []);
      assert.equal(client.pending, 0);
      assert.equal(client.stats.rejected, 0);
      assert.equal(client.state, "connected");
    });
  }
});

describe("client: packet identifier wrap-around (2.3.1)", () => {
  it("ids run up to 65535, wrap to 1 and skip an id still in flight", async () => {
    const { client } = setup({ inflightWindow: 2, outbox: { messages: 2 }, keepalive: 0 });
    client.start();
    const socket = connect();
    const stuck = track(client.publish("t", "stuck", { qos: 1 }));
    const [held] = publishes(socket.take());
    assert.equal(held.packetId, 1, "the first id is 1");

    const ids: number[] = [];
    let last: Settled | undefined;
    const cycle = (n: number) => {
      for (let i = 0; i < n; i++) {
        last = track(client.publish("t", "x", { qos: 1 }));
        const sent = publishes(socket.take());
        assert.equal(sent.length, 1);
        const id = sent[0].packetId!;
        ids.push(id);
        socket.deliver(puback(id));
      }
    };
    cycle(65_535 + 5);
    // 2 .. 65535, then 1 is skipped (still in flight), then 2, 3, ...
    assert.equal(ids[0], 2);
    assert.equal(ids[65_533], 65_535);
    assert.deepEqual(ids.slice(65_532, 65_540), [65_534, 65_535, 2, 3, 4, 5, 6, 7]);
    assert.ok(!ids.includes(1), "id 1 was reused while its message was unacknowledged");
    assert.ok(ids.every((id) => id >= 1 && id <= 65_535));
    await settle();
    assert.equal(stuck.status, "pending");
    assert.equal(last!.status, "resolved");

    // Once acknowledged, id 1 is free again on the next lap.
    socket.deliver(puback(1));
    await settle();
    assert.equal(stuck.status, "resolved");
    ids.length = 0;
    cycle(65_535);
    assert.equal(ids.filter((id) => id === 1).length, 1, "id 1 comes round again once free");
    assert.equal(new Set(ids).size, 65_535, "a whole lap uses every id once");
    assert.equal(client.state, "connected");
    assert.equal(client.pending, 0);
  });
});

describe("client: write backpressure", () => {
  /** Grants `sizes` one after another (the last repeats) until the client has nothing more to write; checks every write fits its grant. */
  function drain(socket: FakeSocket, sizes: number[]): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    for (let step = 0; ; step++) {
      const grant = sizes[Math.min(step, sizes.length - 1)];
      const before = socket.writes.length;
      socket.grant(grant);
      const added = socket.writes.slice(before);
      let total = 0;
      for (const piece of added) {
        assert.ok(piece.length <= grant, `a ${piece.length}-byte write after a ${grant}-byte grant`);
        total += piece.length;
      }
      assert.ok(total <= grant, `${total} bytes written after a ${grant}-byte grant`);
      if (added.length === 0) return pieces;
      pieces.push(...added);
      assert.ok(step < 100_000, "the client keeps writing");
    }
  }
  const join = (pieces: Uint8Array[]): number[] => pieces.flatMap((piece) => Array.from(piece));

  it("CONNECT and a large PUBLISH are written in pieces no larger than each grant and reassemble exactly", async () => {
    const { client } = setup({ clientId: "sensor-backpressure", keepalive: 0 });
    client.start();
    const socket = FakeSocket.last;
    socket.accept(3);
    assert.ok(socket.writes.length >= 1 && socket.writes.every((w) => w.length <= 3));
    const connectPieces = [...socket.writes, ...drain(socket, [1, 2, 5])];
    const expectedConnect = encode({ type: "connect", protocolLevel: 4, clientId: "sensor-backpressure", cleanSession: true, keepalive: 0 });
    assert.deepEqual(join(connectPieces), Array.from(expectedConnect));
    assert.ok(connectPieces.length > 1, "the CONNECT went out in several writes");
    socket.take();
    socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: 0 }));

    socket.grant(0); // the socket's buffer is full again
    const payload = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
    const before = socket.writes.length;
    const result = track(client.publish("sensors/big", payload, { qos: 1 }));
    assert.equal(socket.writes.length, before, "nothing written without a grant");
    const pieces = drain(socket, [7, 1, 64, 13, 100]);
    const [sent] = socket.take() as PublishPacket[];
    assert.equal(sent.type, "publish");
    const expected = encode({ type: "publish", topic: "sensors/big", payload, qos: 1, retain: false, dup: false, packetId: sent.packetId! });
    assert.deepEqual(join(pieces), Array.from(expected), "the pieces reassemble to the exact packet");
    socket.deliver(puback(sent.packetId!));
    await settle();
    assert.equal(result.status, "resolved");
  });

  it("packets queued behind a stalled write keep their order", async () => {
    const { client } = setup({ keepalive: 0 });
    client.start();
    const socket = connect();
    socket.grant(0);
    await client.publish("t", "one");
    await client.publish("t", "two");
    track(client.publish("t", "three", { qos: 1 }));
    assert.deepEqual(socket.take(), []);
    drain(socket, [4]);
    assert.deepEqual(publishes(socket.take()).map((p) => str(p.payload)), ["one", "two", "three"]);
  });
});
