/*
 * MQTT client, QoS 2 both ways (4.3.3): PUBLISH -> PUBREC -> PUBREL ->
 * PUBCOMP, with the state kept across reconnects, and exactly-once delivery
 * of incoming QoS 2 messages (method A: deliver on PUBLISH, remember the id
 * until PUBREL).
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { ClientOptions } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import { BIG_GRANT, connect, publishes, settle, setup as harnessSetup, str, text, track, types } from "../../helpers/client-harness";
import { FakeSocket } from "../../helpers/fake-socket";

const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup({ random: () => 0, keepalive: 0, ...extra });

beforeEach(() => FakeSocket.reset());

describe("client: QoS 2 publish", () => {
  it("completes PUBLISH, PUBREC, PUBREL, PUBCOMP and resolves only on PUBCOMP", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    const done = track(client.publish("t", "exactly once", { qos: 2 }));
    const [publish] = publishes(socket.take());
    assert.deepEqual([publish.qos, publish.dup, str(publish.payload)], [2, false, "exactly once"]);
    socket.deliver(encode({ type: "pubrec", packetId: publish.packetId! }));
    assert.deepEqual(socket.take(), [{ type: "pubrel", packetId: publish.packetId }]);
    await settle();
    assert.equal(done.status, "pending", "not done at PUBREC");
    socket.deliver(encode({ type: "pubcomp", packetId: publish.packetId! }));
    await settle();
    assert.equal(done.status, "resolved");
    assert.equal(client.pending, 0);
  });

  it("resends the PUBLISH with DUP if the link drops before PUBREC, with the same id", async () => {
    const { client, timers } = setup();
    client.start();
    let socket = connect();
    const done = track(client.publish("t", "x", { qos: 2 }));
    const [first] = publishes(socket.take());
    socket.fail();
    timers.advance(0);
    socket = connect(true);
    const [again] = publishes(socket.take());
    assert.deepEqual([again.packetId, again.dup, again.qos], [first.packetId, true, 2]);
    socket.deliver(encode({ type: "pubrec", packetId: again.packetId! }));
    socket.deliver(encode({ type: "pubcomp", packetId: again.packetId! }));
    await settle();
    assert.equal(done.status, "resolved");
  });

  it("after PUBREC, resends PUBREL (not the PUBLISH) on the new link", async () => {
    const { client, timers } = setup();
    client.start();
    let socket = connect();
    const done = track(client.publish("t", "x", { qos: 2 }));
    const [publish] = publishes(socket.take());
    socket.deliver(encode({ type: "pubrec", packetId: publish.packetId! }));
    socket.take();
    socket.fail();
    timers.advance(0);
    socket = connect(true);
    assert.deepEqual(socket.take(), [{ type: "pubrel", packetId: publish.packetId }]);
    socket.deliver(encode({ type: "pubcomp", packetId: publish.packetId! }));
    await settle();
    assert.equal(done.status, "resolved");
    assert.equal(client.stats.resent, 1);
  });

  it("answers a PUBREC for an id it does not know with PUBREL, so the broker can finish", () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    socket.deliver(encode({ type: "pubrec", packetId: 77 }));
    assert.deepEqual(socket.take(), [{ type: "pubrel", packetId: 77 }]);
  });

  it("ignores PUBCOMP before PUBREC and PUBACK for a QoS 2 message", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    const done = track(client.publish("t", "x", { qos: 2 }));
    const [publish] = publishes(socket.take());
    socket.deliver(encode({ type: "pubcomp", packetId: publish.packetId! }));
    socket.deliver(encode({ type: "puback", packetId: publish.packetId! }));
    await settle();
    assert.equal(done.status, "pending");
  });

  it("a QoS 2 birth message goes first and is not counted as the application's", () => {
    const { client } = setup({ birth: { topic: "s/status", payload: "online", qos: 2, retain: true } });
    client.start();
    const socket = connect();
    const [birth] = publishes(socket.take());
    assert.deepEqual([birth.topic, birth.qos, birth.retain], ["s/status", 2, true]);
    assert.equal(client.pending, 0);
  });
});

describe("client: QoS 2 receive", () => {
  const publish = (packetId: number, dup = false) =>
    encode({ type: "publish", topic: "cmd/x", payload: text("once"), qos: 2, retain: false, dup, packetId });

  it("delivers once, answers PUBREC, and PUBCOMP after PUBREL", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    socket.deliver(publish(5));
    assert.deepEqual(socket.take(), [{ type: "pubrec", packetId: 5 }]);
    assert.equal(events.messages.length, 1);
    assert.equal(str(events.messages[0].payload), "once");
    socket.deliver(encode({ type: "pubrel", packetId: 5 }));
    assert.deepEqual(socket.take(), [{ type: "pubcomp", packetId: 5 }]);
  });

  it("a duplicate PUBLISH before PUBREL is acknowledged but not delivered again", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    socket.deliver(publish(5));
    socket.deliver(publish(5, true));
    assert.deepEqual(types(socket), ["pubrec", "pubrec"]);
    assert.equal(events.messages.length, 1);
    assert.equal(client.stats.duplicates, 1);
  });

  it("remembers the id across a reconnect, so a resend after it is not delivered twice", () => {
    const { client, events, timers } = setup({ cleanSession: false });
    client.start();
    let socket = connect();
    socket.deliver(publish(9));
    socket.fail();
    timers.advance(0);
    socket = connect(true);
    socket.deliver(publish(9, true));
    assert.equal(events.messages.length, 1);
    socket.deliver(encode({ type: "pubrel", packetId: 9 }));
    socket.deliver(publish(9));
    assert.equal(events.messages.length, 2, "after PUBREL the id is new again");
  });

  it("answers PUBREL for an unknown id with PUBCOMP", () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    socket.deliver(encode({ type: "pubrel", packetId: 3 }));
    assert.deepEqual(socket.take(), [{ type: "pubcomp", packetId: 3 }]);
  });
});

describe("client: writes under backpressure", () => {
  it("QoS 2 flows still complete when the socket grants a few bytes at a time", async () => {
    const { client } = setup();
    client.start();
    const socket = FakeSocket.last;
    socket.accept(BIG_GRANT);
    socket.take();
    socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: 0 }));
    socket.grant(3);
    const done = track(client.publish("t", "y".repeat(40), { qos: 2 }));
    for (let i = 0; i < 30 && socket.take().length === 0; i++) socket.grant(3);
    socket.grant(BIG_GRANT);
    socket.deliver(encode({ type: "pubrec", packetId: 1 }));
    socket.deliver(encode({ type: "pubcomp", packetId: 1 }));
    await settle();
    assert.equal(done.status, "resolved");
  });
});

describe("client: QoS 2 receive state follows the broker's session", () => {
  it("forgets received ids when the broker kept no session, so a reused id is a new message", () => {
    const { client, events, timers } = harnessSetup({ random: () => 0 });
    client.start();
    let socket = connect();
    socket.deliver(encode({ type: "publish", topic: "cmd/x", payload: text("first"), qos: 2, retain: false, dup: false, packetId: 4 }));
    socket.fail();
    timers.advance(0);
    socket = connect(false);
    socket.deliver(encode({ type: "publish", topic: "cmd/x", payload: text("second"), qos: 2, retain: false, dup: false, packetId: 4 }));
    assert.deepEqual(events.messages.map((m) => str(m.payload)), ["first", "second"]);
  });
});
