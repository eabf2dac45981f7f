/*
 * The MQTT library's core checks, run on the real XS engine (the fixture
 * test/xs/fixtures/client-checks.ts), including a live session through the
 * real broker over the XS host's TCP socket.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";
import { XSHost } from "../../sim/xs/bridge-host";
import { startRealBroker } from "../helpers/brokers";

describe("MQTT library on the XS engine", () => {
  it("passes its core checks", async (t) => {
    const broker = await startRealBroker();
    t.diagnostic(`broker: ${broker.name}`);
    let output = "";
    let crashed: Error | undefined;
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => { finished = resolve; });
    const host = new XSHost({
      config: { broker: broker.url }, entry: join(ROOT, "test/xs/fixtures/client-checks.ts"), stdio: "pipe",
      trace: (text) => { output += text; if (output.includes("checks done")) finished(); },
      onCrash: (error) => { crashed = error; finished(); },
    });
    try {
      await host.start();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise((resolve) => { timer = setTimeout(resolve, 15_000); })]);
      clearTimeout(timer);
    }
    finally {
      host.stop();
      await broker.stop();
    }
    if (crashed) throw crashed;
    const results = output.split("\n").filter((line) => line.startsWith("check "));
    const failures = results.filter((line) => !line.endsWith(": ok"));
    assert.deepEqual(failures, []);
    assert.equal(results.length, 9, output);
    assert.match(output, /checks done/);
  });
});
