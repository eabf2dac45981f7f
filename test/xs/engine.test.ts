/*
 * The XS host's engine: the firmware meets exactly what a Moddable device
 * has, no more.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";
import { XSHost } from "../../sim/xs/bridge-host";

/** Globals of the xsnap worker (or of Node/browsers) that firmware must not find. */
const ABSENT = ["print", "issueCommand", "gc", "performance", "setImmediate", "TextEncoder", "TextDecoder",
  "Base64", "harden", "global", "currentMeterLimit", "resetMeter", "setTimeout", "console", "process", "Buffer"];

async function runProbe(entry: string): Promise<string> {
  let output = "";
  let crashed: Error | undefined;
  const host = new XSHost({
    config: {}, entry, stdio: "pipe",
    trace: (text) => { output += text; },
    onCrash: (error) => { crashed = error; },
  });
  await host.start();
  host.stop();
  if (crashed) throw crashed;
  return output;
}

describe("XS host engine", () => {
  it("shows the firmware only what a device has", async () => {
    const output = await runProbe(join(ROOT, "test/xs/fixtures/globals-probe.ts"));
    const globals = /globals: (.*)/.exec(output)?.[1].split(" ") ?? [];
    assert.ok(globals.includes("trace"), "trace is there");
    assert.ok(globals.includes("Compartment") || globals.includes("Object"), "the language is there");
    for (const name of ABSENT) assert.ok(!globals.includes(name), `${name} must not be visible, but is`);
  });

  it("is the real XS engine (Moddable's ArrayBuffer extensions exist)", async () => {
    const output = await runProbe(join(ROOT, "test/xs/fixtures/globals-probe.ts"));
    assert.match(output, /concat: function/);
  });
});
