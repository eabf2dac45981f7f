/*
 * The OutboxStore contract (src/mqtt/outbox-store.ts), one suite every
 * implementation runs. `reopen` gives the store as it would be after a
 * reboot (for a RAM store: the same object).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OutboxStore } from "../../../src/mqtt/outbox-store";

export interface StoreFixture {
  store: OutboxStore;
  reopen(): OutboxStore;
  /** Whether it survives a reboot. */
  persistent: boolean;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const plain = (m: { topic: string; payload: Uint8Array; qos: number; retain: boolean; packetId?: number; released?: boolean }) =>
  ({ topic: m.topic, payload: [...m.payload], qos: m.qos, retain: m.retain, packetId: m.packetId, released: m.released ?? false });

export function outboxStoreContract(name: string, make: () => StoreFixture): void {
  describe(`OutboxStore contract: ${name}`, () => {
    it("loads nothing when new", () => {
      assert.deepEqual(make().store.load(), []);
    });

    it("keeps messages in the order added, with increasing keys", () => {
      const { store } = make();
      store.load();
      const a = store.add({ topic: "a", payload: bytes("1"), qos: 1, retain: false });
      const b = store.add({ topic: "b/é", payload: bytes("2"), qos: 2, retain: true });
      assert.ok(b.key > a.key);
      assert.deepEqual(store.load().map(plain), [plain(a), plain(b)]);
    });

    it("remembers updates (packet id, released) and forgets removed messages", () => {
      const fixture = make();
      const { store } = fixture;
      store.load();
      const a = store.add({ topic: "a", payload: bytes("1"), qos: 2, retain: false });
      const b = store.add({ topic: "b", payload: new Uint8Array([0, 255, 7]), qos: 1, retain: false });
      a.packetId = 65535;
      a.released = true;
      store.update(a);
      store.remove(b.key);
      store.remove(12345); // unknown: ignored
      const after = fixture.reopen().load().map(plain);
      assert.deepEqual(after, [plain(a)]);
    });

    it("keeps keys increasing after a reload", () => {
      const fixture = make();
      fixture.store.load();
      const a = fixture.store.add({ topic: "a", payload: bytes("1"), qos: 1, retain: false });
      const again = fixture.reopen();
      again.load();
      const b = again.add({ topic: "b", payload: bytes("2"), qos: 1, retain: false });
      assert.ok(b.key > a.key);
    });

    it("keeps received QoS 2 ids until released", () => {
      const fixture = make();
      fixture.store.setReceived(7, true);
      fixture.store.setReceived(9, true);
      fixture.store.setReceived(7, false);
      assert.deepEqual(fixture.reopen().receivedIds(), [9]);
    });

    if (make().persistent) {
      it("survives a reboot", () => {
        const fixture = make();
        fixture.store.load();
        fixture.store.add({ topic: "kept", payload: bytes("across power loss"), qos: 1, retain: true });
        const [kept] = fixture.reopen().load();
        assert.deepEqual([kept.topic, new TextDecoder().decode(kept.payload), kept.retain], ["kept", "across power loss", true]);
      });
    }
  });
}
