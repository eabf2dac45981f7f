import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";

describe("device builds without the Moddable SDK", () => {
  for (const target of ["esp32", "pico_w", "sim"]) {
    it(`build ${target} stops with a clear message when $MODDABLE is unset`, () => {
      const env = { ...process.env };
      delete env.MODDABLE;
      const result = spawnSync(process.execPath, ["--import", "tsx", "tools/build.ts", target], { cwd: ROOT, env, encoding: "utf8" });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^build: \$MODDABLE is not set\. Device builds need the Moddable SDK/);
    });
  }
});
