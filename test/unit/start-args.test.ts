import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStartArgs, parseTime, UsageError } from "../../tools/start-args";

describe("npm start options", () => {
  it("has defaults", () => {
    const options = parseStartArgs([]);
    assert.equal(options.host, "node");
    assert.equal(options.broker, undefined);
    assert.equal(options.duration, undefined);
  });

  it("parses the -- form", () => {
    const options = parseStartArgs(["--broker", "mqtt://10.0.0.2:1884", "--host", "xs", "--duration=10s", "--interval", "500ms", "--set", "deviceId=kitchen"]);
    assert.equal(options.broker?.hostname, "10.0.0.2");
    assert.equal(options.broker?.port, "1884");
    assert.equal(options.host, "xs");
    assert.equal(options.duration, 10_000);
    assert.equal(options.interval, 500);
    assert.deepEqual(options.set, { deviceId: "kitchen" });
  });

  it("recovers options npm kept for itself (npm start --duration 10s)", () => {
    const options = parseStartArgs(["10s"], { npm_config_duration: "true" });
    assert.equal(options.duration, 10_000);
    const both = parseStartArgs(["xs", "mqtt://127.0.0.1:1883"], { npm_config_host: "true", npm_config_broker: "true" });
    assert.equal(both.host, "xs");
    assert.equal(both.broker?.port, "1883");
  });

  it("asks for the -- form when npm's split is ambiguous", () => {
    assert.throws(() => parseStartArgs(["10s", "2s"], { npm_config_duration: "true", npm_config_interval: "true" }), /npm start -- --duration VALUE --interval VALUE/);
  });

  it("parses times", () => {
    assert.equal(parseTime("duration", "10"), 10_000);
    assert.equal(parseTime("duration", "1.5m"), 90_000);
    assert.equal(parseTime("duration", "250ms"), 250);
    assert.throws(() => parseTime("duration", "0s"), UsageError);
  });

  it("refuses what it does not understand", () => {
    assert.throws(() => parseStartArgs(["--nope"]), /unknown option --nope/);
    assert.throws(() => parseStartArgs(["stray"]), /unexpected argument "stray"/);
    assert.throws(() => parseStartArgs(["--duration"]), /--duration needs a value/);
    assert.throws(() => parseStartArgs(["--host", "node", "--host", "xs"]), /given twice/);
    assert.throws(() => parseStartArgs(["--set", "novalue"]), /KEY=VALUE/);
  });
});
