/*
 * Settings kept in preference storage (src/app/persisted-settings.ts), on an
 * in-memory store that behaves as the devices' do where it matters: values
 * are UTF-8 strings of bounded size (recordBytes, terminator included), and
 * power can fail between any two writes (the store throws from then on, and
 * a new PersistedSettings over what was written stands for the reboot).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PersistedSettings, type PreferenceStrings } from "../../../src/app/persisted-settings";

class PowerLoss extends Error {}

class MemoryPreferences implements PreferenceStrings {
  readonly values = new Map<string, string>();
  /** Longest value stored, UTF-8 bytes with a terminator; undefined: no limit. */
  readonly recordBytes: number | undefined;
  /** set() calls that succeed before power is lost; undefined: never. */
  powerFailsAfterSets: number | undefined;
  sets = 0;
  #off = false;

  constructor(recordBytes?: number) {
    this.recordBytes = recordBytes;
  }

  set(domain: string, key: string, value: string): void {
    this.#check();
    if (this.powerFailsAfterSets !== undefined && this.sets >= this.powerFailsAfterSets) {
      this.#off = true;
      throw new PowerLoss(`power lost before set(${domain}, ${key})`);
    }
    assert.equal(typeof value, "string");
    assert.ok(key.length <= 15, `key ${key} is longer than NVS allows`);
    const bytes = Buffer.byteLength(value, "utf8") + 1;
    if (this.recordBytes !== undefined && bytes > this.recordBytes) throw new RangeError(`${domain}.${key}: ${bytes} bytes do not fit a ${this.recordBytes}-byte record`);
    this.sets++;
    // Stored as UTF-8 bytes, as flash holds them.
    this.values.set(`${domain}.${key}`, Buffer.from(value, "utf8").toString("utf8"));
  }

  get(domain: string, key: string): unknown {
    this.#check();
    return this.values.get(`${domain}.${key}`);
  }

  delete(domain: string, key: string): void {
    this.#check();
    this.values.delete(`${domain}.${key}`);
  }

  /** The keys of a domain, sorted. */
  keys(domain = "settings"): string[] {
    return [...this.values.keys()].filter((key) => key.startsWith(`${domain}.`)).map((key) => key.slice(domain.length + 1)).sort();
  }

  /** Power back: the store works again with what was written. */
  reboot(): void {
    this.#off = false;
    this.powerFailsAfterSets = undefined;
  }

  #check(): void {
    if (this.#off) throw new PowerLoss("no power");
  }
}

const SMALL = { "interval": 10_000 };
const LARGE = {
  "interval": 86_400_000,
  "readings.format": "state",
  "ha.discovery": false,
  "diagnostics.interval": 0,
  "sensors.tmp102.interval": 2500,
  "sensors.tmp102.filter": "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1",
  "sensors.bme280.filter": "average:64,delta:0.05,heartbeat:1h,throttle:30s,round:2",
  "sensors.sht31.interval": null,
};

/** The keys a complete save leaves: "current" and its set's chunks, nothing else. */
function expectedKeys(store: MemoryPreferences, domain = "settings"): string[] {
  const current = store.get(domain, "current") as string;
  const keys = ["current"];
  for (let i = 0; i < Number(current.slice(1)); i++) keys.push(`${current[0]}${i}`);
  return keys.sort();
}

describe("persisted settings: round trip", () => {
  it("nothing saved: {}", () => {
    assert.deepEqual(new PersistedSettings(new MemoryPreferences()).load(), {});
  });

  it("what is saved is loaded, by this instance and by a new one (after a reboot)", () => {
    const store = new MemoryPreferences();
    const settings = new PersistedSettings(store);
    for (const value of [SMALL, LARGE, {}, { "unit": "°C", "name": "Küche ☀", "nested": { "a": [1, 2.5, "x"] } }]) {
      settings.save(value);
      assert.deepEqual(settings.load(), value);
      assert.deepEqual(new PersistedSettings(store).load(), value);
    }
  });

  it("keeps to its domain: two domains in one store do not meet", () => {
    const store = new MemoryPreferences();
    const one = new PersistedSettings(store);
    const two = new PersistedSettings(store, { domain: "other" });
    one.save(SMALL);
    two.save(LARGE);
    one.save({ "interval": 500 });
    assert.deepEqual(one.load(), { "interval": 500 });
    assert.deepEqual(two.load(), LARGE);
    assert.ok(store.keys("settings").includes("current"), "the default domain is \"settings\"");
    assert.deepEqual(store.keys("other"), expectedKeys(store, "other"));
  });
});

describe("persisted settings: records", () => {
  it("with the Pico's 63-byte records, every value fits and the settings come back whole", () => {
    const store = new MemoryPreferences(63);
    const settings = new PersistedSettings(store, { recordBytes: 63 });
    settings.save(LARGE);
    const current = store.get("settings", "current") as string;
    assert.ok(Number(current.slice(1)) > 5, `split into several records (${current})`);
    for (const key of store.keys()) assert.ok(Buffer.byteLength(store.get("settings", key) as string) + 1 <= 63, key);
    assert.deepEqual(new PersistedSettings(store, { recordBytes: 63 }).load(), LARGE);
  });

  it("multi-byte characters still fit 63-byte records", () => {
    const store = new MemoryPreferences(63);
    const settings = new PersistedSettings(store, { recordBytes: 63 });
    const value = { "label": "°C€ü".repeat(40), "interval": 1000 };
    settings.save(value);
    assert.deepEqual(new PersistedSettings(store, { recordBytes: 63 }).load(), value);
  });

  it("characters beyond the BMP (surrogate pairs) survive being split into records", () => {
    const store = new MemoryPreferences(63);
    const settings = new PersistedSettings(store, { recordBytes: 63 });
    // Offsets 0 to 18 put a pair across every possible record boundary.
    for (let pad = 0; pad < 19; pad++) {
      const value = { "label": `${"x".repeat(pad)}🌡️🌡️🌡️🌡️🌡️🌡️🌡️🌡️` };
      settings.save(value);
      assert.deepEqual(new PersistedSettings(store, { recordBytes: 63 }).load(), value, `padding ${pad}`);
    }
  });

  it("the default records (ESP32 NVS, 4000 bytes) hold a small document in one", () => {
    const store = new MemoryPreferences(4000);
    new PersistedSettings(store).save(LARGE);
    assert.deepEqual(store.keys(), ["a0", "current"]);
    assert.equal(store.get("settings", "current"), "a1");
  });
});

describe("persisted settings: alternating sets", () => {
  it("saves alternate between the a and b keys, deleting the old set after writing current", () => {
    const store = new MemoryPreferences(63);
    const settings = new PersistedSettings(store, { recordBytes: 63 });
    const documents = [LARGE, SMALL, LARGE, {}, LARGE, LARGE];
    documents.forEach((value, i) => {
      settings.save(value);
      const current = store.get("settings", "current") as string;
      assert.equal(current[0], i % 2 === 0 ? "a" : "b", `save ${i + 1}`);
      assert.deepEqual(store.keys(), expectedKeys(store), `save ${i + 1}: only the current set is left`);
      assert.deepEqual(settings.load(), value);
    });
  });

  it("writes the new set before \"current\", and deletes the old only after", () => {
    const log: string[] = [];
    const store = new MemoryPreferences(63);
    const logged: PreferenceStrings = {
      set: (domain, key, value) => { log.push(`set ${key}`); store.set(domain, key, value); },
      get: (domain, key) => store.get(domain, key),
      delete: (domain, key) => { log.push(`delete ${key}`); store.delete(domain, key); },
    };
    const settings = new PersistedSettings(logged, { recordBytes: 63 });
    settings.save({ "interval": 1000, "sensors.tmp102.filter": "median:5" });
    log.length = 0;
    settings.save({ "interval": 2000, "sensors.tmp102.filter": "median:7" });
    const current = log.indexOf("set current");
    assert.ok(current > 0);
    assert.ok(log.slice(0, current).every((entry) => /^set b\d+$/.test(entry)), log.join(", "));
    assert.ok(log.slice(current + 1).every((entry) => /^delete a\d+$/.test(entry)), log.join(", "));
    assert.equal(log.slice(current + 1).length, 3, "every old record deleted");
  });

  it("a corrupt \"current\" does not stop the next save", () => {
    for (const current of ["zz", "", "a", 5]) {
      const store = new MemoryPreferences();
      store.values.set("settings.current", current as string);
      const settings = new PersistedSettings(store);
      assert.deepEqual(settings.load(), {});
      settings.save(SMALL);
      assert.deepEqual(new PersistedSettings(store).load(), SMALL);
    }
  });
});

describe("persisted settings: power lost in a save", () => {
  /** Saves `before`, then `after` with power lost after `n` more set() calls; returns the store and what a reboot loads. */
  function interrupted(before: Record<string, unknown>, after: Record<string, unknown>, n: number): { store: MemoryPreferences; loaded: Record<string, unknown> } {
    const store = new MemoryPreferences(63);
    new PersistedSettings(store, { recordBytes: 63 }).save(before);
    store.sets = 0;
    store.powerFailsAfterSets = n;
    assert.throws(() => new PersistedSettings(store, { recordBytes: 63 }).save(after), PowerLoss);
    store.reboot();
    return { store, loaded: new PersistedSettings(store, { recordBytes: 63 }).load() };
  }

  /** set() calls of a complete save of `value`: its records and "current". */
  function setsOf(value: Record<string, unknown>): number {
    const store = new MemoryPreferences(63);
    new PersistedSettings(store, { recordBytes: 63 }).save(value);
    return store.sets;
  }

  it("before \"current\" is written, a reboot loads the previous settings whole, at every point", () => {
    const pairs: [Record<string, unknown>, Record<string, unknown>][] = [[SMALL, LARGE], [LARGE, SMALL], [LARGE, { ...LARGE, "interval": 100 }]];
    for (const [before, after] of pairs) {
      const writes = setsOf(after);
      for (let n = 0; n < writes; n++) assert.deepEqual(interrupted(before, after, n).loaded, before, `power lost after ${n} of ${writes} writes`);
    }
  });

  it("the same with a third save in between (the b set replaced)", () => {
    for (let n = 0; n < setsOf(LARGE); n++) {
      const store = new MemoryPreferences(63);
      new PersistedSettings(store, { recordBytes: 63 }).save(SMALL);
      new PersistedSettings(store, { recordBytes: 63 }).save({ ...LARGE, "interval": 200 });
      store.sets = 0;
      store.powerFailsAfterSets = n;
      assert.throws(() => new PersistedSettings(store, { recordBytes: 63 }).save(LARGE), PowerLoss);
      store.reboot();
      assert.deepEqual(new PersistedSettings(store, { recordBytes: 63 }).load(), { ...LARGE, "interval": 200 }, `after ${n} writes`);
    }
  });

  it("once \"current\" is written, a reboot loads the new settings, even if deleting the old was cut short", () => {
    const store = new MemoryPreferences(63);
    new PersistedSettings(store, { recordBytes: 63 }).save(LARGE);
    let deletes = 0;
    const failing: PreferenceStrings = {
      set: (domain, key, value) => store.set(domain, key, value),
      get: (domain, key) => store.get(domain, key),
      delete: (domain, key) => {
        if (++deletes > 2) throw new PowerLoss("power lost in a delete");
        store.delete(domain, key);
      },
    };
    assert.throws(() => new PersistedSettings(failing, { recordBytes: 63 }).save(SMALL), PowerLoss);
    assert.deepEqual(new PersistedSettings(store, { recordBytes: 63 }).load(), SMALL);
  });

  it("after power came back, the next save works and loads", () => {
    const writes = setsOf(LARGE);
    for (let n = 0; n < writes; n++) {
      const { store } = interrupted(SMALL, LARGE, n);
      const settings = new PersistedSettings(store, { recordBytes: 63 });
      settings.save({ "interval": 3000 });
      assert.deepEqual(new PersistedSettings(store, { recordBytes: 63 }).load(), { "interval": 3000 });
      settings.save(SMALL);
      assert.deepEqual(new PersistedSettings(store, { recordBytes: 63 }).load(), SMALL);
    }
  });

  it("records an interrupted save left behind are removed by later saves", () => {
    const writes = setsOf(LARGE);
    const { store } = interrupted(SMALL, LARGE, writes - 2);
    const settings = new PersistedSettings(store, { recordBytes: 63 });
    settings.save({ "interval": 3000 });
    settings.save(SMALL);
    assert.deepEqual(store.keys(), expectedKeys(store));
  });
});

describe("persisted settings: unreadable", () => {
  function saved(value: Record<string, unknown> = LARGE): MemoryPreferences {
    const store = new MemoryPreferences(63);
    new PersistedSettings(store, { recordBytes: 63 }).save(value);
    return store;
  }

  const load = (store: MemoryPreferences) => new PersistedSettings(store, { recordBytes: 63 }).load();

  it("a missing record: {}", () => {
    const store = saved();
    store.delete("settings", "a2");
    assert.deepEqual(load(store), {});
  });

  it("a record that is not a string: {}", () => {
    const store = saved();
    (store.values as Map<string, unknown>).set("settings.a1", 42);
    assert.deepEqual(load(store), {});
  });

  it("a corrupt record (the JSON broken): {}", () => {
    const store = saved();
    store.values.set("settings.a0", "#garbage#");
    assert.deepEqual(load(store), {});
  });

  it("\"current\" counting more records than there are: {}", () => {
    const store = saved();
    const current = store.get("settings", "current") as string;
    store.values.set("settings.current", `a${Number(current.slice(1)) + 1}`);
    assert.deepEqual(load(store), {});
  });

  it("\"current\" counting fewer records: the text is cut short, {}", () => {
    const store = saved();
    const current = store.get("settings", "current") as string;
    store.values.set("settings.current", `a${Number(current.slice(1)) - 1}`);
    assert.deepEqual(load(store), {});
  });

  it("\"current\" malformed: {}", () => {
    for (const current of [undefined, 3, "a", "c1", "a1x", " a1", "A1", "a-1", ""]) {
      const store = saved(SMALL);
      if (current === undefined) store.values.delete("settings.current");
      else (store.values as Map<string, unknown>).set("settings.current", current);
      assert.deepEqual(load(store), {}, `current ${JSON.stringify(current)}`);
    }
  });

  it("JSON that is not an object: {}", () => {
    for (const text of ["[1,2]", "[]", "5", "null", "\"interval\"", "true"]) {
      const store = new MemoryPreferences();
      store.values.set("settings.a0", text);
      store.values.set("settings.current", "a1");
      assert.deepEqual(load(store), {}, text);
    }
  });

  it("zero records: {} (empty text is not JSON)", () => {
    const store = new MemoryPreferences();
    store.values.set("settings.current", "b0");
    assert.deepEqual(load(store), {});
  });
});
