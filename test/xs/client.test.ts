/*
 * The MQTT library's core checks, run on the real XS engine (the fixture
 * test/xs/fixtures/client-checks.ts), including a live session through the
 * real broker over the XS host's TCP socket.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startRealBroker } from "../helpers/brokers";
import { runChecks } from "./run-checks";

describe("MQTT library on the XS engine", () => {
  it("passes its core checks", async (t) => {
    const broker = await startRealBroker();
    t.diagnostic(`broker: ${broker.name}`);
    try {
      const { results, failures, output } = await runChecks("client-checks.ts", { broker: broker.url }, 15_000);
      assert.deepEqual(failures, []);
      assert.equal(results.length, 9, output);
    }
    finally {
      await broker.stop();
    }
  });
});
