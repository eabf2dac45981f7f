/*
 * MQTT client, the outbox: limits in messages and bytes, the overflow
 * policies and their counters, and persistence through an OutboxStore so
 * accepted messages survive a reboot (a new client on the same store).
 */

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, it } from "node:test";
import Preference from "../../../sim/node/modules/preference";
import { setStorageDirectory } from "../../../sim/node/storage";
import { type ClientOptions, MessageDroppedError, OutboxFullError } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import { OutboxStoreError } from "../../../src/mqtt/outbox-store";
import { PreferenceOutboxStore } from "../../../src/mqtt/preference-store";
import { connect, publishes, puback, settle, setup as harnessSetup, str, track } from "../../helpers/client-harness";
import { FakeSocket } from "../../helpers/fake-socket";

setStorageDirectory(mkdtempSync(join(tmpdir(), "client-outbox-")));
const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup({ random: () => 0, keepalive: 0, ...extra });

beforeEach(() => FakeSocket.reset());

describe("client: outbox limits and overflow", () => {
  it('"reject" refuses the newest when full, counts it, and keeps the rest', async () => {
    const { client } = setup({ inflightWindow: 1, outbox: { messages: 2 } });
    const a = track(client.publish("t", "a", { qos: 1 }));
    const b = track(client.publish("t", "b", { qos: 1 }));
    const c = track(client.publish("t", "c", { qos: 1 }));
    await settle();
    assert.equal(c.status, "rejected");
    assert.ok(c.error instanceof OutboxFullError);
    assert.deepEqual([a.status, b.status, client.stats.rejected, client.pending], ["pending", "pending", 1, 2]);
  });

  it('"drop-oldest" drops the oldest unsent message, counts it, and rejects its promise', async () => {
    const { client } = setup({ inflightWindow: 1, outbox: { messages: 2, overflow: "drop-oldest" } });
    client.start();
    const socket = connect();
    const a = track(client.publish("t", "a", { qos: 1 })); // in flight: never dropped
    const b = track(client.publish("t", "b", { qos: 1 }));
    const c = track(client.publish("t", "c", { qos: 1 }));
    await settle();
    assert.equal(a.status, "pending");
    assert.equal(b.status, "rejected");
    assert.ok(b.error instanceof MessageDroppedError);
    assert.equal(client.stats.dropped, 1);
    const [first] = publishes(socket.take());
    socket.deliver(puback(first.packetId!));
    const [next] = publishes(socket.take());
    assert.equal(str(next.payload), "c");
    socket.deliver(puback(next.packetId!));
    await settle();
    assert.deepEqual([a.status, c.status], ["resolved", "resolved"]);
  });

  it('"drop-oldest" still rejects when everything held is in flight', async () => {
    const { client } = setup({ inflightWindow: 2, outbox: { messages: 2, overflow: "drop-oldest" } });
    client.start();
    connect();
    void client.publish("t", "a", { qos: 1 }).catch(() => undefined);
    void client.publish("t", "b", { qos: 1 }).catch(() => undefined);
    const c = track(client.publish("t", "c", { qos: 1 }));
    await settle();
    assert.ok(c.error instanceof OutboxFullError);
  });

  it("bounds the bytes held, not only the count", async () => {
    const { client } = setup({ outbox: { messages: 100, bytes: 100 } });
    void client.publish("t", "x".repeat(60), { qos: 1 }).catch(() => undefined);
    const second = track(client.publish("t", "y".repeat(60), { qos: 1 }));
    await settle();
    assert.ok(second.error instanceof OutboxFullError);
    assert.match((second.error as Error).message, /bytes/);
  });

  it("a message too large for the store's records is kept in RAM, delivered, and counted as unpersisted", async () => {
    const store = new PreferenceOutboxStore({ preference: Preference, domain: "small", maxRecordBytes: 50 });
    const { client } = setup({ outbox: { store } });
    const big = track(client.publish("t", "z".repeat(100), { qos: 1 }));
    assert.equal(client.stats.unpersisted, 1);
    assert.deepEqual(store.load(), []);
    client.start();
    const socket = connect();
    const [sent] = publishes(socket.take());
    socket.deliver(puback(sent.packetId!));
    await settle();
    assert.equal(big.status, "resolved");
  });

  it("a store that fails otherwise rejects the publish with its reason", async () => {
    const store = new PreferenceOutboxStore({ preference: Preference, domain: "tiny", maxMessages: 1 });
    const { client } = setup({ outbox: { store } });
    void client.publish("t", "one", { qos: 1 }).catch(() => undefined);
    const two = track(client.publish("t", "two", { qos: 1 }));
    await settle();
    assert.ok(two.error instanceof OutboxStoreError);
    assert.equal((two.error as OutboxStoreError).reason, "full");
  });
});

describe("client: messages survive a reboot with a persistent store", () => {
  it("a new client on the same store resends unacknowledged messages first, in order, same ids, DUP set", async () => {
    const domain = "reboot1";
    const first = setup({ outbox: { store: new PreferenceOutboxStore({ preference: Preference, domain }) } });
    first.client.start();
    let socket = connect();
    void first.client.publish("t", "sent, not acked", { qos: 1 }).catch(() => undefined);
    void first.client.publish("t", "sent, QoS 2", { qos: 2 }).catch(() => undefined);
    const sent = publishes(socket.take());
    first.client.close(); // or power loss: the store is what matters

    FakeSocket.reset();
    const again = setup({ outbox: { store: new PreferenceOutboxStore({ preference: Preference, domain }) } });
    assert.equal(again.client.stats.restored, 2);
    assert.equal(again.client.pending, 2);
    const fresh = track(again.client.publish("t", "new", { qos: 1 }));
    again.client.start();
    socket = connect(true);
    const resent = publishes(socket.take());
    assert.deepEqual(resent.map((p) => [str(p.payload), p.packetId, p.dup]), [
      ["sent, not acked", sent[0].packetId, true],
      ["sent, QoS 2", sent[1].packetId, true],
      ["new", resent[2].packetId, false],
    ]);
    assert.ok(!sent.some((p) => p.packetId === resent[2].packetId), "the new message takes a free id");
    socket.deliver(puback(resent[0].packetId!));
    socket.deliver(encode({ type: "pubrec", packetId: resent[1].packetId! }));
    socket.deliver(encode({ type: "pubcomp", packetId: resent[1].packetId! }));
    socket.deliver(puback(resent[2].packetId!));
    await settle();
    assert.equal(fresh.status, "resolved");
    assert.equal(again.client.pending, 0);
    assert.deepEqual(new PreferenceOutboxStore({ preference: Preference, domain }).load(), [], "delivered: nothing left in storage");
  });

  it("messages accepted while offline are kept across the reboot too", () => {
    const domain = "reboot2";
    const first = setup({ outbox: { store: new PreferenceOutboxStore({ preference: Preference, domain }) } });
    void first.client.publish("t", "queued offline", { qos: 1 }).catch(() => undefined);
    FakeSocket.reset();
    const again = setup({ outbox: { store: new PreferenceOutboxStore({ preference: Preference, domain }) } });
    again.client.start();
    const socket = connect();
    const [resent] = publishes(socket.take());
    assert.deepEqual([str(resent.payload), resent.dup], ["queued offline", false]);
  });
});
