import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Preference from "../../../sim/node/modules/preference";
import { setStorageDirectory } from "../../../sim/node/storage";
import { MemoryOutboxStore, OutboxStoreError } from "../../../src/mqtt/outbox-store";
import { PreferenceOutboxStore } from "../../../src/mqtt/preference-store";
import { outboxStoreContract } from "./outbox-store.contract";

setStorageDirectory(mkdtempSync(join(tmpdir(), "outbox-")));
let domains = 0;

outboxStoreContract("MemoryOutboxStore", () => {
  const store = new MemoryOutboxStore();
  return { store, reopen: () => store, persistent: false };
});

outboxStoreContract("PreferenceOutboxStore (the Node host's preference folder)", () => {
  const domain = `outbox${domains++}`;
  return { store: new PreferenceOutboxStore({ preference: Preference, domain }), reopen: () => new PreferenceOutboxStore({ preference: Preference, domain }), persistent: true };
});

describe("PreferenceOutboxStore limits", () => {
  it("refuses a message larger than one record (NVS: 4000 bytes) with reason too-large", () => {
    const store = new PreferenceOutboxStore({ preference: Preference, domain: "big" });
    store.load();
    assert.throws(() => store.add({ topic: "t", payload: new Uint8Array(4000), qos: 1, retain: false }),
      (error: unknown) => error instanceof OutboxStoreError && error.reason === "too-large");
  });

  it("refuses past maxMessages with reason full", () => {
    const store = new PreferenceOutboxStore({ preference: Preference, domain: "few", maxMessages: 2 });
    store.load();
    store.add({ topic: "t", payload: new Uint8Array(1), qos: 1, retain: false });
    store.add({ topic: "t", payload: new Uint8Array(1), qos: 1, retain: false });
    assert.throws(() => store.add({ topic: "t", payload: new Uint8Array(1), qos: 1, retain: false }),
      (error: unknown) => error instanceof OutboxStoreError && error.reason === "full");
  });

  it("drops a record cut short by power loss instead of failing to start", () => {
    const domain = "torn";
    const store = new PreferenceOutboxStore({ preference: Preference, domain });
    store.load();
    store.add({ topic: "ok", payload: new Uint8Array(1), qos: 1, retain: false });
    Preference.set(domain, "m99", new Uint8Array([1, 0]).buffer);
    const loaded = new PreferenceOutboxStore({ preference: Preference, domain }).load();
    assert.deepEqual(loaded.map((m) => m.topic), ["ok"]);
    assert.ok(!Preference.keys(domain).includes("m99"));
  });

  it("checks its options", () => {
    assert.throws(() => new PreferenceOutboxStore({ preference: Preference, domain: "a-domain-name-too-long" }), /domain must be 1 to 15 characters/);
    assert.throws(() => new PreferenceOutboxStore({ preference: {} as never }), /preference must be Moddable's Preference/);
  });
});

