/*
 * Commands on <base>/command (src/app/commands.ts): each command as the
 * device acts on it, each way a payload is refused, and the id echoed
 * whatever its JSON type. parseCommand never throws.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ParsedCommand, parseCommand } from "../../../src/app/commands";

const SENSORS = ["tmp102", "bme280"] as const;

const parse = (body: unknown, names: readonly string[] = SENSORS): ParsedCommand => parseCommand(JSON.stringify(body), names);

/** Fails unless refused; checks the command is not acted on and the error mentions `pattern`. */
function refused(body: unknown, pattern: RegExp, names: readonly string[] = SENSORS): ParsedCommand {
  const result = typeof body === "string" ? parseCommand(body, names) : parse(body, names);
  assert.equal(result.ok, false, `${JSON.stringify(body)} accepted`);
  assert.equal(result.parsed, undefined, "a refused command carries nothing to act on");
  assert.equal(typeof result.error, "string");
  assert.match(result.error!, pattern);
  return result;
}

describe("commands: accepted", () => {
  it("reboot and diagnostics take no fields", () => {
    assert.deepEqual(parse({ command: "reboot" }), { id: undefined, command: "reboot", ok: true, parsed: { command: "reboot" } });
    assert.deepEqual(parse({ command: "diagnostics" }), { id: undefined, command: "diagnostics", ok: true, parsed: { command: "diagnostics" } });
  });

  it("interval: value from 100 to 86400000 ms, the edges included", () => {
    for (const value of [100, 10_000, 86_400_000]) {
      assert.deepEqual(parse({ command: "interval", value }), { id: undefined, command: "interval", ok: true, parsed: { command: "interval", value } });
    }
  });

  it("interval for one sensor", () => {
    assert.deepEqual(parse({ command: "interval", value: 2000, sensor: "bme280" }).parsed, { command: "interval", value: 2000, sensor: "bme280" });
  });

  it("identify: seconds from 1 to 60, 5 by default, fractions allowed", () => {
    assert.deepEqual(parse({ command: "identify" }).parsed, { command: "identify", seconds: 5 });
    for (const seconds of [1, 2.5, 60]) assert.deepEqual(parse({ command: "identify", seconds }).parsed, { command: "identify", seconds });
  });

  it("sample: every sensor, or one", () => {
    assert.deepEqual(parse({ command: "sample" }).parsed, { command: "sample" });
    assert.deepEqual(parse({ command: "sample", sensor: "tmp102" }).parsed, { command: "sample", sensor: "tmp102" });
  });

  it("parsed carries only what the command takes (no id, no stray fields)", () => {
    const result = parse({ id: 7, command: "interval", value: 1000 });
    assert.deepEqual(Object.keys(result.parsed!).sort(), ["command", "value"]);
  });
});

describe("commands: id", () => {
  it("is echoed whatever its JSON type, on success and on failure", () => {
    for (const id of ["abc", 42, 0, -1.5, true, false, null, { n: 1 }, [1, "two"], ""]) {
      assert.deepEqual(parse({ id, command: "sample" }).id, id, `id ${JSON.stringify(id)} on success`);
      assert.deepEqual(parse({ id, command: "interval", value: 1 }).id, id, `id ${JSON.stringify(id)} on a field error`);
      assert.deepEqual(parse({ id, command: "dance" }).id, id, `id ${JSON.stringify(id)} on an unknown command`);
    }
  });

  it("is absent when not given", () => {
    assert.equal(parse({ command: "sample" }).id, undefined);
  });
});

describe("commands: refused", () => {
  it("not JSON, and nothing to echo", () => {
    for (const text of ["", "sample", "{command: \"sample\"}", "{\"command\": \"sample\"", "\u0000"]) {
      const result = refused(text, /^not JSON/);
      assert.equal(result.id, undefined);
      assert.equal(result.command, undefined);
    }
  });

  it("JSON that is not an object: array, string, number, null", () => {
    for (const text of ["[]", "[{\"command\": \"sample\"}]", "\"sample\"", "5", "null", "true"]) refused(text, /a command is a JSON object/);
  });

  it("no command, or a command that is not a string", () => {
    for (const body of [{}, { id: 1 }, { command: 5 }, { command: null }, { command: ["sample"] }]) {
      const result = refused(body, /unknown command/);
      assert.equal(result.command, undefined, "only a string is echoed as the command");
      assert.match(result.error!, /commands: reboot, interval, identify, sample, diagnostics/);
    }
  });

  it("an unknown command, echoed and named", () => {
    for (const command of ["dance", "Sample", "REBOOT", "", "toString", "__proto__"]) {
      const result = refused({ id: "x", command }, /unknown command/);
      assert.equal(result.command, command);
      assert.ok(result.error!.includes(JSON.stringify(command)), result.error);
    }
  });

  it("interval: a value missing, out of range or not a whole number", () => {
    for (const value of [undefined, 99, 86_400_001, 0, -100, 1000.5, "1000", null, true, [1000]]) {
      const result = refused({ command: "interval", value }, /value must be an interval in ms from 100 to 86400000/);
      assert.equal(result.command, "interval");
    }
  });

  it("identify: seconds out of 1 to 60 or not a number", () => {
    for (const seconds of [0, 0.5, 60.5, 61, -5, "5", true, [5]]) refused({ command: "identify", seconds }, /seconds must be 1 to 60/);
  });

  it("identify: null seconds are the default (JSON's way of leaving it out)", () => {
    const result = parse({ command: "identify", seconds: null });
    assert.deepEqual(result.parsed, { command: "identify", seconds: 5 });
  });

  it("a field the command does not take, naming it and the command's fields", () => {
    assert.match(refused({ command: "reboot", delay: 5 }, /reboot takes no field "delay"/).error!, /^reboot takes no field "delay"$/);
    assert.match(refused({ command: "diagnostics", sensor: "tmp102" }, /diagnostics takes no field "sensor"/).error!, /^[^(]*$/);
    refused({ command: "identify", sensor: "tmp102" }, /identify takes no field "sensor" \(fields: seconds\)/);
    refused({ command: "interval", value: 1000, seconds: 5 }, /interval takes no field "seconds" \(fields: value, sensor\)/);
    refused({ command: "sample", value: 1000 }, /sample takes no field "value" \(fields: sensor\)/);
  });

  it("a sensor that is not there, or not a string, listing the sensors", () => {
    for (const sensor of ["sht31", "TMP102", "", 1, null, ["tmp102"], { name: "tmp102" }]) {
      refused({ command: "sample", sensor }, /sensor must be one of tmp102, bme280/);
      refused({ command: "interval", value: 1000, sensor }, /sensor must be one of tmp102, bme280/);
    }
  });

  it("a sensor named like an array member is not a sensor", () => {
    for (const sensor of ["length", "0", "includes", "__proto__"]) refused({ command: "sample", sensor }, /sensor must be one of/);
  });

  it("a sensor on a device whose sensors are not known yet (auto-detect still looking)", () => {
    refused({ command: "sample", sensor: "tmp102" }, /sensor must be one of /, []);
    assert.equal(parse({ command: "sample" }, []).ok, true);
  });
});
