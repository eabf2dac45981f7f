/*
 * The update agent's cryptography on the real XS engine (the fixture
 * test/xs/fixtures/ota-checks.ts), with announcements signed here by the
 * pipeline's code and node:crypto.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ManifestFields, signedAnnouncement } from "../../tools/ota/announcement";
import { generateSigningKey, type SigningKey } from "../../tools/ota/keys";
import { runChecks } from "./run-checks";

const newKey = (): SigningKey => generateSigningKey("test");

describe("update cryptography on the XS engine", () => {
  it("verifies SHA-256, P-256 and signed announcements as Node does", async (t) => {
    const key = newKey();
    const fields: ManifestFields = { version: "1.1.0+0123abc", counter: 2, target: "sim", size: 1000, sha256: "cd".repeat(32), url: "http://127.0.0.1:9/sim.bin" };
    const install = signedAnnouncement(fields, key);
    const parsed = JSON.parse(install) as Record<string, string>;
    const tampered = JSON.stringify({ ...parsed, manifest: parsed.manifest.replace("1000", "1001") });
    const { results, failures, output } = await runChecks("ota-checks.ts", {
      publicKey: key.publicHex, install, tampered, otherKey: signedAnnouncement(fields, newKey()),
    });
    t.diagnostic(/ota timing: (.*)/.exec(output)?.[1] ?? "no timing");
    assert.deepEqual(failures, []);
    assert.equal(results.length, 8, output);
  });
});
