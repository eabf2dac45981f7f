/*
 * The sensor drivers against their simulated chips on the real XS engine
 * (the fixture test/xs/fixtures/sensor-checks.ts).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";
import { XSHost } from "../../sim/xs/bridge-host";

describe("sensor drivers on the XS engine", () => {
  it("pass their checks against the simulated chips", async () => {
    let output = "";
    let crashed: Error | undefined;
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => { finished = resolve; });
    const host = new XSHost({
      config: {}, entry: join(ROOT, "test/xs/fixtures/sensor-checks.ts"), stdio: "pipe",
      trace: (text) => { output += text; if (output.includes("checks done")) finished(); },
      onCrash: (error) => { crashed = error; finished(); },
    });
    try {
      await host.start();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise((resolve) => { timer = setTimeout(resolve, 20_000); })]);
      clearTimeout(timer);
    }
    finally {
      host.stop();
    }
    if (crashed) throw crashed;
    const results = output.split("\n").filter((line) => line.startsWith("check "));
    assert.deepEqual(results.filter((line) => !line.endsWith(": ok")), []);
    assert.ok(results.length >= 3, output);
    assert.match(output, /checks done/);
  });
});
