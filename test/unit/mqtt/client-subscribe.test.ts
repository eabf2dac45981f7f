/*
 * MQTT client, subscriptions (3.8-3.11): SUBSCRIBE with granted QoS, refusal,
 * routing to handlers by filter (4.7), renewal when the broker kept no
 * session, UNSUBSCRIBE, and requests made while offline.
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { SubscriptionRefusedError } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import type { SubscribePacket, UnsubscribePacket } from "../../../src/mqtt/packets";
import { connect, settle, setup, str, text, track } from "../../helpers/client-harness";
import { FakeSocket } from "../../helpers/fake-socket";

beforeEach(() => FakeSocket.reset());

const message = (topic: string, body: string) => encode({ type: "publish", topic, payload: text(body), qos: 0, retain: false, dup: false });

function only<T extends { type: string }>(packets: { type: string }[], type: T["type"]): T {
  const found = packets.filter((p) => p.type === type);
  assert.equal(found.length, 1, `one ${type} in ${JSON.stringify(packets.map((p) => p.type))}`);
  return found[0] as T;
}

describe("client: subscribe", () => {
  it("sends SUBSCRIBE and resolves with the granted QoS", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    const granted = track(client.subscribe("cmd/+", { qos: 2 }));
    const sub = only<SubscribePacket>(socket.take(), "subscribe");
    assert.deepEqual(sub.subscriptions, [{ topicFilter: "cmd/+", qos: 2 }]);
    socket.deliver(encode({ type: "suback", packetId: sub.packetId, returnCodes: [1] }));
    await settle();
    assert.deepEqual([granted.status, granted.value], ["resolved", 1]);
  });

  it("rejects with SubscriptionRefusedError on SUBACK 0x80 and stops routing", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    const got: string[] = [];
    const granted = track(client.subscribe("secret/#", {}, (m) => got.push(m.topic)));
    const sub = only<SubscribePacket>(socket.take(), "subscribe");
    socket.deliver(encode({ type: "suback", packetId: sub.packetId, returnCodes: [0x80] }));
    await settle();
    assert.equal(granted.status, "rejected");
    assert.ok(granted.error instanceof SubscriptionRefusedError);
    assert.match((granted.error as Error).message, /secret\/#/);
    socket.deliver(message("secret/x", "no"));
    assert.deepEqual(got, []);
  });

  it("routes each message to the handlers whose filters match, and all to onMessage", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    const a: string[] = [], b: string[] = [];
    void client.subscribe("home/+/temperature", {}, (m) => a.push(`${m.topic}=${str(m.payload)}`)).catch(() => undefined);
    void client.subscribe("home/#", {}, (m) => b.push(m.topic)).catch(() => undefined);
    socket.deliver(message("home/kitchen/temperature", "20"));
    socket.deliver(message("home/kitchen/humidity", "40"));
    socket.deliver(message("$SYS/broker/uptime", "1"));
    assert.deepEqual(a, ["home/kitchen/temperature=20"]);
    assert.deepEqual(b, ["home/kitchen/temperature", "home/kitchen/humidity"]);
    assert.equal(events.messages.length, 3);
  });

  it("subscribing offline waits for the connection, then sends one SUBSCRIBE", async () => {
    const { client } = setup();
    const granted = track(client.subscribe("a", { qos: 1 }));
    client.start();
    const socket = connect();
    const sub = only<SubscribePacket>(socket.take(), "subscribe");
    socket.deliver(encode({ type: "suback", packetId: sub.packetId, returnCodes: [1] }));
    await settle();
    assert.equal(granted.status, "resolved");
  });

  it("renews every subscription when the broker kept no session, none when it did", () => {
    const { client, timers } = setup({ random: () => 0, cleanSession: false });
    client.start();
    let socket = connect();
    void client.subscribe("a", { qos: 1 }).catch(() => undefined);
    void client.subscribe("b", { qos: 0 }).catch(() => undefined);
    for (const sub of socket.take().filter((p): p is SubscribePacket => p.type === "subscribe"))
      socket.deliver(encode({ type: "suback", packetId: sub.packetId, returnCodes: sub.subscriptions.map((s) => s.qos) }));
    socket.fail();
    timers.advance(0);
    socket = connect(true);
    assert.deepEqual(socket.take().filter((p) => p.type === "subscribe"), [], "session present: nothing to renew");
    socket.fail();
    timers.advance(0);
    socket = connect(false);
    const renew = only<SubscribePacket>(socket.take(), "subscribe");
    assert.deepEqual(renew.subscriptions, [{ topicFilter: "a", qos: 1 }, { topicFilter: "b", qos: 0 }]);
  });

  it("a SUBSCRIBE lost with the link is made again, and its promise still settles", async () => {
    const { client, timers } = setup({ random: () => 0 });
    client.start();
    let socket = connect();
    const granted = track(client.subscribe("a", { qos: 1 }));
    socket.take();
    socket.fail();
    timers.advance(0);
    socket = connect(true);
    const sub = only<SubscribePacket>(socket.take(), "subscribe");
    socket.deliver(encode({ type: "suback", packetId: sub.packetId, returnCodes: [1] }));
    await settle();
    assert.equal(granted.status, "resolved");
  });

  it("subscribe ids never collide with QoS 1 ids in flight (2.3.1-2)", () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    void client.publish("t", "x", { qos: 1 }).catch(() => undefined);
    void client.subscribe("a").catch(() => undefined);
    const packets = socket.take() as { packetId?: number }[];
    const ids = packets.map((p) => p.packetId);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("refuses bad filters and QoS at once", () => {
    const { client } = setup();
    assert.throws(() => client.subscribe("a/#/b"), /filter "a\/#\/b" has a wildcard/);
    assert.throws(() => client.subscribe(""), /filter "" must not be empty/);
    assert.throws(() => client.subscribe("a", { qos: 3 as 0 }), /qos must be 0, 1 or 2/);
    assert.throws(() => client.subscribe("a", {}, "nope" as never), /handler must be a function/);
  });
});

describe("client: unsubscribe", () => {
  it("stops routing at once and resolves on UNSUBACK", async () => {
    const { client } = setup();
    client.start();
    const socket = connect();
    const got: string[] = [];
    void client.subscribe("a/#", {}, (m) => got.push(m.topic)).catch(() => undefined);
    socket.take();
    const done = track(client.unsubscribe("a/#"));
    const unsub = only<UnsubscribePacket>(socket.take(), "unsubscribe");
    assert.deepEqual(unsub.topicFilters, ["a/#"]);
    socket.deliver(message("a/b", "late"));
    assert.deepEqual(got, []);
    socket.deliver(encode({ type: "unsuback", packetId: unsub.packetId }));
    await settle();
    assert.equal(done.status, "resolved");
  });

  it("an unsubscribe made offline is sent on the next connection", async () => {
    const { client, timers } = setup({ random: () => 0, cleanSession: false });
    client.start();
    let socket = connect();
    socket.fail();
    const done = track(client.unsubscribe("old/#"));
    timers.advance(0);
    socket = connect(true);
    const unsub = only<UnsubscribePacket>(socket.take(), "unsubscribe");
    socket.deliver(encode({ type: "unsuback", packetId: unsub.packetId }));
    await settle();
    assert.equal(done.status, "resolved");
  });

  it("close() rejects what is waiting", async () => {
    const { client } = setup();
    const granted = track(client.subscribe("a"));
    client.close();
    await settle();
    assert.equal(granted.status, "rejected");
  });
});
