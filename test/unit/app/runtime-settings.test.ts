/*
 * Run-time settings (src/app/runtime-settings.ts): every key a change over
 * MQTT may carry, accepted and refused, at the edges of its range and in the
 * string form `mcconfig key=value` gives it; a change is all or nothing; the
 * build-time defaults; and settingsAsConfig back into applySettings.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatFilter, parseFilter } from "../../../src/app/filters";
import { applySettings, type RuntimeSettings, runtimeSettingsFrom, settingsAsConfig } from "../../../src/app/runtime-settings";

const SENSORS = ["tmp102", "bme280"] as const;

/** The defaults, with one sensor's own interval and filter set, so a change has something to leave alone. */
function current(): RuntimeSettings {
  return {
    interval: 5000, format: "json", discovery: true, diagnosticsInterval: 300_000,
    sensors: { tmp102: { filter: "" }, bme280: { interval: 60_000, filter: "median:5" } },
  };
}

/** Applies `changes` to current(); fails the test unless they were accepted, and checks current() was left as it was. */
function accepted(changes: Record<string, unknown>, names: readonly string[] = SENSORS): RuntimeSettings {
  const before = current();
  const result = applySettings(before, changes, names);
  assert.equal(result.errors, undefined, `${JSON.stringify(changes)} refused: ${JSON.stringify(result.errors)}`);
  assert.deepEqual(before, current(), "the current settings object was changed");
  return result.settings!;
}

/** Applies `changes`; fails unless refused; returns the errors by key. */
function refused(changes: Record<string, unknown>, names: readonly string[] = SENSORS): Record<string, string> {
  const before = current();
  const result = applySettings(before, changes, names);
  assert.equal(result.settings, undefined, `${JSON.stringify(changes)} accepted: ${JSON.stringify(result.settings)}`);
  assert.deepEqual(before, current(), "the current settings object was changed");
  return result.errors!;
}

/** The one error of a change of one key; checks it names the key. */
function refusal(key: string, value: unknown, names: readonly string[] = SENSORS): string {
  const errors = refused({ [key]: value }, names);
  assert.deepEqual(Object.keys(errors), [key]);
  assert.match(errors[key], new RegExp(key.replace(/\./g, "\\.")), `the message names the key: ${errors[key]}`);
  return errors[key];
}

describe("runtime settings: interval", () => {
  it("accepts 100 and 86400000 ms, the edges, and changes nothing else", () => {
    assert.deepEqual(accepted({ interval: 100 }), { ...current(), interval: 100 });
    assert.equal(accepted({ interval: 86_400_000 }).interval, 86_400_000);
  });

  it("accepts strings of digits as mcconfig gives them, as numbers", () => {
    assert.equal(accepted({ interval: "100" }).interval, 100);
    assert.equal(accepted({ interval: "86400000" }).interval, 86_400_000);
    assert.equal(accepted({ interval: " 2500 " }).interval, 2500);
  });

  it("refuses 99 and 86400001, as numbers and as strings, naming the range and the value", () => {
    for (const value of [99, 86_400_001, "99", "86400001", 0, -1000]) {
      const message = refusal("interval", value);
      assert.match(message, /from 100 to 86400000/);
      assert.ok(message.includes(JSON.stringify(value)), message);
    }
  });

  it("refuses what is not a whole number of ms", () => {
    for (const value of [1000.5, "1000.5", "1e4", "-5000", "", "ten", null, true, [1000], { ms: 1000 }, Number.NaN, Infinity])
      refusal("interval", value);
  });
});

describe("runtime settings: readings.format, ha.discovery", () => {
  it("readings.format takes json, plain and state", () => {
    for (const format of ["json", "plain", "state"] as const) assert.equal(accepted({ "readings.format": format }).format, format);
  });

  it("readings.format refuses anything else, the names exactly", () => {
    for (const value of ["JSON", "text", "", 1, null, true]) assert.match(refusal("readings.format", value), /"json", "plain" or "state"/);
  });

  it("ha.discovery takes true/false and their strings", () => {
    assert.equal(accepted({ "ha.discovery": false }).discovery, false);
    assert.equal(accepted({ "ha.discovery": "false" }).discovery, false);
    const off = { ...current(), discovery: false };
    for (const value of [true, "true"]) {
      const result = applySettings(off, { "ha.discovery": value }, SENSORS);
      assert.equal(result.settings?.discovery, true);
    }
  });

  it("ha.discovery refuses anything else", () => {
    for (const value of [1, 0, "yes", "True", "", null]) assert.match(refusal("ha.discovery", value), /true or false/);
  });
});

describe("runtime settings: diagnostics.interval", () => {
  it("0 (number or string) means only on request", () => {
    assert.equal(accepted({ "diagnostics.interval": 0 }).diagnosticsInterval, 0);
    assert.equal(accepted({ "diagnostics.interval": "0" }).diagnosticsInterval, 0);
  });

  it("otherwise 1000 to 86400000 ms", () => {
    assert.equal(accepted({ "diagnostics.interval": 1000 }).diagnosticsInterval, 1000);
    assert.equal(accepted({ "diagnostics.interval": "86400000" }).diagnosticsInterval, 86_400_000);
    for (const value of [1, 999, "999", 86_400_001, -1, 1500.5, null, false]) refusal("diagnostics.interval", value);
  });
});

describe("runtime settings: sensors.<name>", () => {
  it("sets a known sensor's own interval, leaving the other sensor and the device's interval alone", () => {
    const settings = accepted({ "sensors.tmp102.interval": 100 });
    assert.deepEqual(settings.sensors, { tmp102: { interval: 100, filter: "" }, bme280: { interval: 60_000, filter: "median:5" } });
    assert.equal(settings.interval, 5000);
    assert.equal(accepted({ "sensors.tmp102.interval": "86400000" }).sensors.tmp102.interval, 86_400_000);
  });

  it("null or \"\" clears a sensor's own interval (back to the device's)", () => {
    for (const value of [null, ""]) {
      const settings = accepted({ "sensors.bme280.interval": value });
      assert.equal(settings.sensors.bme280.interval, undefined);
      assert.equal(settings.sensors.bme280.filter, "median:5");
    }
  });

  it("a sensor's interval has the device interval's range", () => {
    for (const value of [99, "99", 86_400_001, 1000.5, "fast", true]) assert.match(refusal("sensors.tmp102.interval", value), /from 100 to 86400000/);
  });

  it("stores the filter text normalised through formatFilter", () => {
    const text = " median:5 , delta:0.10,heartbeat:300s, throttle:10000,round:1 ";
    const settings = accepted({ "sensors.tmp102.filter": text });
    assert.equal(settings.sensors.tmp102.filter, "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1");
    assert.equal(settings.sensors.tmp102.filter, formatFilter(parseFilter("x", text)));
    assert.equal(settings.sensors.bme280.filter, "median:5");
  });

  it("an empty filter text removes the filters", () => {
    assert.equal(accepted({ "sensors.bme280.filter": "" }).sensors.bme280.filter, "");
    assert.equal(accepted({ "sensors.bme280.filter": "  " }).sensors.bme280.filter, "");
  });

  it("refuses a bad filter with the filter parser's message, naming the key", () => {
    assert.match(refusal("sensors.tmp102.filter", "delta:0.1,median:5"), /must come before/);
    assert.match(refusal("sensors.tmp102.filter", "heartbeat:5m"), /heartbeat needs a delta/);
    assert.match(refusal("sensors.tmp102.filter", "median:65"), /window size/);
    assert.match(refusal("sensors.tmp102.filter", "smooth:3"), /unknown filter "smooth"/);
  });

  it("refuses a filter that is not a string", () => {
    for (const value of [5, null, { window: { kind: "median", size: 5 } }, ["median:5"]]) assert.match(refusal("sensors.tmp102.filter", value), /must be a string/);
  });

  it("refuses an unknown sensor, naming it and the sensors there are", () => {
    for (const key of ["sensors.sht31.interval", "sensors.sht31.filter"]) {
      const message = refusal(key, key.endsWith("interval") ? 1000 : "median:3");
      assert.match(message, /no sensor named "sht31"/);
      assert.match(message, /tmp102, bme280/);
    }
  });

  it("a sensor's settings start empty when current has none for it (a sensor found later)", () => {
    const result = applySettings(current(), { "sensors.sht31.interval": 2000 }, [...SENSORS, "sht31"]);
    assert.deepEqual(result.settings?.sensors.sht31, { interval: 2000, filter: "" });
  });

  it("drops sensors no longer in the list", () => {
    const result = applySettings(current(), { interval: 1000 }, ["tmp102"]);
    assert.deepEqual(result.settings?.sensors, { tmp102: { filter: "" } });
  });

  it("the returned sensors are copies: changing them leaves current alone", () => {
    const before = current();
    const settings = applySettings(before, { interval: 1000 }, SENSORS).settings!;
    settings.sensors.bme280.filter = "changed";
    settings.sensors.bme280.interval = 1;
    assert.deepEqual(before, current());
  });

  it("refuses a sensor named like an Object.prototype member, and pollutes nothing", () => {
    const prototype = Object.prototype as { interval?: unknown; filter?: unknown };
    const problems: string[] = [];
    try {
      for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
        for (const [field, value] of [["interval", 1000], ["filter", "median:3"]] as const) {
          const key = `sensors.${name}.${field}`;
          const result = applySettings(current(), JSON.parse(JSON.stringify({ [key]: value })) as Record<string, unknown>, SENSORS);
          if (prototype[field] !== undefined) problems.push(`${key} polluted Object.prototype`);
          if (!result.errors?.[key]) problems.push(`${key} accepted`);
          delete prototype[field];
        }
      }
    }
    finally {
      delete prototype.interval;
      delete prototype.filter;
      for (const target of [Object, Object.prototype.toString, Object.prototype.hasOwnProperty] as { interval?: unknown; filter?: unknown }[]) {
        delete target.interval;
        delete target.filter;
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe("runtime settings: keys not changed at run time", () => {
  const buildTimeOnly = [
    "broker", "deviceId", "clientId", "topicPrefix", "keepalive", "sensors", "mqtt.username", "mqtt.password", "outbox.messages",
    "ha.prefix", "onewire.pin", "i2c.hz", "analog.pin", "ssid", "password", "version",
    // Any other field of a sensor is its build-time config (chip, address, bus).
    "sensors.tmp102.address", "sensors.tmp102.chip",
  ];

  it("refuses build-time-only keys, saying they are set at build time", () => {
    for (const key of buildTimeOnly) {
      const message = refusal(key, "x");
      assert.match(message, /can only be set at build time/);
      assert.ok(message.includes(`mcconfig ${key}=`), message);
    }
  });

  it("does not echo the value of a refused build-time key (a password)", () => {
    const errors = refused({ password: "hunter2", "mqtt.password": "hunter2" });
    assert.ok(!Object.values(errors).some((message) => message.includes("hunter2")));
  });

  it("refuses unknown keys, listing what can change", () => {
    for (const key of ["intervall", "Interval", "readings", "ha.discovery.enabled", "diagnostics", "sensor.tmp102.interval", ""]) {
      const errors = refused({ [key]: 1 });
      assert.deepEqual(Object.keys(errors), [key]);
      assert.match(errors[key], /unknown setting/);
      assert.match(errors[key], /interval, readings\.format, ha\.discovery, diagnostics\.interval, sensors\.<name>\.interval, sensors\.<name>\.filter/);
    }
  });

  it("refuses a \"__proto__\" key from JSON like any unknown key", () => {
    const changes = JSON.parse('{"__proto__": 1, "interval": 1000}') as Record<string, unknown>;
    const result = applySettings(current(), changes, SENSORS);
    assert.equal(result.settings, undefined, "accepted");
    assert.ok(result.errors && Object.hasOwn(result.errors, "__proto__"));
  });
});

describe("runtime settings: a change is all or nothing", () => {
  it("one bad key changes nothing, and the errors name every bad key and only those", () => {
    const before = current();
    const result = applySettings(before, {
      "interval": 99,
      "readings.format": "plain",
      "ha.discovery": "maybe",
      "sensors.tmp102.filter": "median:5",
      "sensors.sht31.interval": 1000,
      "broker": "evil.example",
      "colour": "red",
    }, SENSORS);
    assert.equal(result.settings, undefined);
    assert.deepEqual(Object.keys(result.errors!).sort(), ["broker", "colour", "ha.discovery", "interval", "sensors.sht31.interval"]);
    assert.deepEqual(before, current());
  });

  it("several good keys apply together", () => {
    const settings = accepted({
      "interval": "1000", "readings.format": "state", "ha.discovery": false, "diagnostics.interval": 0,
      "sensors.tmp102.interval": 250, "sensors.tmp102.filter": "delta:0.5", "sensors.bme280.interval": null,
    });
    assert.deepEqual(settings, {
      interval: 1000, format: "state", discovery: false, diagnosticsInterval: 0,
      sensors: { tmp102: { interval: 250, filter: "delta:0.5" }, bme280: { interval: undefined, filter: "median:5" } },
    });
  });

  it("an empty change returns equal settings", () => {
    assert.deepEqual(accepted({}), current());
  });
});

describe("runtime settings: from build-time config", () => {
  it("the defaults without overrides", () => {
    assert.deepEqual(runtimeSettingsFrom({}, ["tmp102"]), {
      interval: 5000, format: "json", discovery: true, diagnosticsInterval: 300_000, sensors: { tmp102: { filter: "" } },
    });
    assert.deepEqual(runtimeSettingsFrom({}, []).sensors, {});
  });

  it("reads mcconfig's strings and ignores the build-time-only keys", () => {
    const settings = runtimeSettingsFrom({
      "broker": "mqtt://localhost", "deviceId": "kitchen", "sensors": "tmp102,bme280", "sensors.tmp102.address": "0x48",
      "interval": "10000", "readings.format": "plain", "ha.discovery": "false", "diagnostics.interval": "0",
      "sensors.tmp102.interval": "2000", "sensors.bme280.filter": "average:4,round:2",
    }, SENSORS);
    assert.deepEqual(settings, {
      interval: 10_000, format: "plain", discovery: false, diagnosticsInterval: 0,
      sensors: { tmp102: { interval: 2000, filter: "" }, bme280: { filter: "average:4,round:2" } },
    });
  });

  it("throws a TypeError for a bad value, naming the key", () => {
    assert.throws(() => runtimeSettingsFrom({ interval: "99" }, []), (error: Error) =>
      error instanceof TypeError && /^config interval must be an integer from 100 to 86400000/.test(error.message));
    assert.throws(() => runtimeSettingsFrom({ "sensors.tmp102.filter": "median:0" }, ["tmp102"]), /^TypeError: config sensors\.tmp102\.filter: "median:0"/);
  });

  it("throws for a setting of a sensor that is not configured", () => {
    assert.throws(() => runtimeSettingsFrom({ "sensors.sht31.interval": "1000" }, ["tmp102"]), /no sensor named "sht31"/);
  });
});

describe("runtime settings: as config", () => {
  it("shows every device setting, and a sensor's only where set", () => {
    assert.deepEqual(settingsAsConfig(current()), {
      "interval": 5000, "readings.format": "json", "ha.discovery": true, "diagnostics.interval": 300_000,
      "sensors.bme280.interval": 60_000, "sensors.bme280.filter": "median:5",
    });
  });

  it("round trip: settingsAsConfig then applySettings onto the defaults gives the settings back", () => {
    const defaults = runtimeSettingsFrom({}, SENSORS);
    const cases: RuntimeSettings[] = [
      current(),
      defaults,
      { interval: 100, format: "state", discovery: false, diagnosticsInterval: 0, sensors: { tmp102: { interval: 86_400_000, filter: "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1" }, bme280: { filter: "" } } },
      { interval: 86_400_000, format: "plain", discovery: true, diagnosticsInterval: 1000, sensors: { tmp102: { filter: "delta:0" }, bme280: { interval: 100, filter: "average:64" } } },
    ];
    for (const settings of cases) {
      const config = settingsAsConfig(settings);
      const back = applySettings(defaults, config, SENSORS);
      assert.deepEqual(back.settings, settings, JSON.stringify(config));
      // And through JSON, as it travels on <base>/config.
      assert.deepEqual(applySettings(defaults, JSON.parse(JSON.stringify(config)) as Record<string, unknown>, SENSORS).settings, settings);
    }
  });
});
