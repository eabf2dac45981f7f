import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";
import { parseBroker, parseSettings } from "../../src/app/settings";

const manifestConfig = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")).config as Record<string, unknown>;

describe("firmware settings (mc/config)", () => {
  it("takes the manifest's defaults as they are: the seed demo", () => {
    const settings = parseSettings(manifestConfig);
    assert.deepEqual(settings.broker, { address: "127.0.0.1", port: 1883 });
    assert.equal(`${settings.topicPrefix}/${settings.deviceId}`, "home/livingroom");
    assert.equal(settings.interval, 5000);
    assert.equal(settings.username, undefined);
    assert.equal(settings.password, undefined);
    assert.equal(settings.sensorAddress, 0x48);
  });

  it("takes mcconfig key=value overrides, which arrive as strings", () => {
    const settings = parseSettings({ ...manifestConfig, interval: "1000", keepalive: "30", "sensor.address": "0x49", "mqtt.username": "me" });
    assert.equal(settings.interval, 1000);
    assert.equal(settings.keepalive, 30);
    assert.equal(settings.sensorAddress, 0x49);
    assert.equal(settings.username, "me");
  });

  it("names the key and the expectation for bad values", () => {
    assert.throws(() => parseSettings({ interval: "fast" }), /config interval must be an integer from 100 to 86400000, not "fast"/);
    assert.throws(() => parseSettings({ deviceId: "a/b" }), /config deviceId "a\/b" must be one topic level/);
    assert.throws(() => parseSettings({ topicPrefix: "home/#" }), /config topicPrefix "home\/#" must not contain \+ or #/);
    assert.throws(() => parseSettings({ "sensor.address": 300 }), /config sensor.address must be a 7-bit I2C address/);
    assert.throws(() => parseSettings({ broker: "tcp://x" }), /config broker "tcp:\/\/x" is not a broker URL/);
  });

  it("parses broker URLs to an address and port", () => {
    assert.deepEqual(parseBroker("b", "mqtt://10.1.2.3"), { address: "10.1.2.3", port: 1883 });
    assert.deepEqual(parseBroker("b", "mqtt://localhost:1884/"), { address: "127.0.0.1", port: 1884 });
    assert.throws(() => parseBroker("b", "mqtt://broker.local:1883"), /must be an IPv4 address/);
    assert.throws(() => parseBroker("b", "mqtt://1.2.3.4:70000"), /port must be 1 to 65535/);
    assert.throws(() => parseBroker("b", "mqtt://256.1.1.1"), /must be an IPv4 address/);
  });
});
