/*
 * `npm start`, as the README gives it: readings arrive and are printed with
 * topic, payload and QoS; bad input gets one clear line and a non-zero exit.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";

function run(command: string, args: string[], timeout = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (data: Buffer) => { stdout += data; });
    child.stderr.on("data", (data: Buffer) => { stderr += data; });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("exit", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const start = (...args: string[]) => run(process.execPath, ["--import", "tsx", "tools/start.ts", ...args]);
const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("npm start:"));

describe("npm start", () => {
  it("`npm start --duration 4s` shows readings arriving, then the Will", async () => {
    const { code, stdout } = await run("npm", ["start", "--duration", "4s"]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /embedded broker \(aedes\) listening/);
    assert.match(stdout, /home\/livingroom\/status {2}online {2}\(QoS 1\)/);
    assert.match(stdout, /home\/livingroom\/temperature {2}\{"value":-?\d+(\.\d+)?,"unit":"°C","ts":\d+,"seq":1\} {2}\(QoS 1\)/);
    assert.match(stdout, /home\/livingroom\/status {2}offline/);
  });

  it("runs the firmware on the XS engine with --host xs", async () => {
    const { code, stdout } = await start("--host", "xs", "--duration", "3s", "--interval", "500ms");
    assert.equal(code, 0, stdout);
    assert.match(stdout, /on the XS engine/);
    assert.match(stdout, /home\/livingroom\/temperature {2}\{"value"/);
  });

  const refusals: [string, string[], number, RegExp][] = [
    ["an unknown option", ["--bogus"], 2, /unknown option --bogus/],
    ["a malformed broker URL", ["--broker", "mqtt//nowhere"], 2, /--broker "mqtt\/\/nowhere" is not a URL/],
    ["a broker scheme it does not speak", ["--broker", "http://127.0.0.1:1883"], 2, /only mqtt:\/\//],
    ["an unreachable broker", ["--broker", "mqtt://127.0.0.1:9"], 1, /cannot reach broker mqtt:\/\/127\.0\.0\.1:9/],
    ["a bad duration", ["--duration", "soon"], 2, /--duration "soon" is not a time/],
    ["a bad host", ["--host", "esp32"], 2, /--host must be node or xs/],
  ];
  for (const [what, args, exitCode, message] of refusals) {
    it(`refuses ${what} with one line and exit code ${exitCode}`, async () => {
      const { code, stderr } = await start(...args);
      assert.equal(code, exitCode);
      const lines = errorLines(stderr);
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0], message);
    });
  }
});
