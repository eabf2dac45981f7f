/*
 * The sensor drivers against their simulated chips on the real XS engine
 * (the fixture test/xs/fixtures/sensor-checks.ts).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runChecks } from "./run-checks";

describe("sensor drivers on the XS engine", () => {
  it("pass their checks against the simulated chips", async () => {
    const { results, failures, output } = await runChecks("sensor-checks.ts");
    assert.deepEqual(failures, []);
    assert.ok(results.length >= 3, output);
  });
});
