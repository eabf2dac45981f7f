/*
 * Update announcements (src/ota/manifest.ts) as the pipeline signs them
 * (tools/ota/announcement.ts): what a device installs, what it already runs,
 * and every refusal with its reason: unsigned, tampered, wrong key, wrong
 * target, oversized, downgrade (by version or security counter) unless signed
 * as one, malformed.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkAnnouncement, MAX_ANNOUNCEMENT_BYTES, parseManifest, type Trust } from "../../../src/ota/manifest";
import { parseVersion } from "../../../src/ota/version";
import { keyIdOf, type ManifestFields, signedAnnouncement } from "../../../tools/ota/announcement";
import { generateSigningKey, type SigningKey, signBytes } from "../../../tools/ota/keys";

const newKey = (): SigningKey => generateSigningKey("test");

const releaseKey = newKey();
const otherKey = newKey();

function trust(overrides: Partial<Trust> = {}): Trust {
  return {
    publicKey: new Uint8Array(Buffer.from(releaseKey.publicHex, "hex")),
    target: "sim",
    version: { ...parseVersion("1.2.0+aaaaaaa")!, text: "1.2.0+aaaaaaa" },
    counter: 5,
    slotSize: 1 << 20,
    ...overrides,
  };
}

const fields = (overrides: Partial<ManifestFields> = {}): ManifestFields => ({
  version: "1.3.0+bbbbbbb", counter: 6, target: "sim", size: 50_000,
  sha256: "ab".repeat(32), url: "http://127.0.0.1:8080/sim/1.3.0.bin", ...overrides,
});

const bytes = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
const check = (payload: string, t = trust()) => checkAnnouncement(bytes(payload), t);
const announce = (overrides: Partial<ManifestFields> = {}, key = releaseKey) => signedAnnouncement(fields(overrides), key);

function refusal(payload: string, t = trust()): string {
  const result = check(payload, t);
  assert.equal(result.kind, "refused", JSON.stringify(result));
  return result.kind === "refused" ? `${result.reason}: ${result.message}` : "";
}

describe("update announcements", () => {
  it("installs a newer release signed by the device's key, with every field read back", () => {
    const result = check(announce());
    assert.equal(result.kind, "install");
    assert.ok(result.kind === "install");
    assert.equal(result.manifest.version, "1.3.0+bbbbbbb");
    assert.equal(result.manifest.counter, 6);
    assert.equal(result.manifest.size, 50_000);
    assert.equal(Buffer.from(result.manifest.sha256).toString("hex"), "ab".repeat(32));
    assert.equal(result.manifest.url, "http://127.0.0.1:8080/sim/1.3.0.bin");
    assert.equal(result.manifest.downgrade, false);
  });

  it("installs another build of the same version (same counter), and recognises the running one", () => {
    assert.equal(check(announce({ version: "1.2.0+ccccccc", counter: 5 })).kind, "install");
    assert.equal(check(announce({ version: "1.2.0+aaaaaaa", counter: 5 })).kind, "current");
  });

  it("refuses an unsigned announcement", () => {
    const { manifest, key } = JSON.parse(announce()) as Record<string, string>;
    assert.match(refusal(JSON.stringify({ manifest, key })), /^unsigned:/);
    assert.match(refusal(JSON.stringify({ manifest, key, signature: "" })), /^unsigned:/);
  });

  it("refuses a tampered manifest, whatever field was changed", () => {
    const original = JSON.parse(announce()) as Record<string, string>;
    for (const [from, to] of [["1.3.0", "9.3.0"], ["\"counter\":6", "\"counter\":60"], ["abab", "abac"], ["8080", "8081"], ["false", "true"]]) {
      assert.ok(original.manifest.includes(from), from);
      const tampered = JSON.stringify({ ...original, manifest: original.manifest.replace(from, to) });
      assert.match(refusal(tampered), /^bad-signature:/, `${from} -> ${to}`);
    }
    const signature = original.signature;
    const flipped = (signature[10] === "0" ? "1" : "0");
    assert.match(refusal(JSON.stringify({ ...original, signature: signature.slice(0, 10) + flipped + signature.slice(11) })), /^bad-signature:/);
  });

  it("names a wrong key, and does not trust a key id that lies", () => {
    const wrong = refusal(announce({}, otherKey));
    assert.match(wrong, /^wrong-key:/);
    assert.ok(wrong.includes(keyIdOf(otherKey.publicHex)) && wrong.includes(keyIdOf(releaseKey.publicHex)), wrong);
    const lying = JSON.parse(announce({}, otherKey)) as Record<string, string>;
    lying.key = keyIdOf(releaseKey.publicHex);
    assert.match(refusal(JSON.stringify(lying)), /^bad-signature:/);
  });

  it("refuses another target's image and one bigger than the update slot", () => {
    assert.match(refusal(announce({ target: "esp32/nodemcu" })), /^wrong-target: built for esp32\/nodemcu, this device is sim/);
    assert.match(refusal(announce({ size: 2_000_000 }), trust({ slotSize: 1_500_000 })), /^oversized: the image is 2000000 bytes; the update slot holds 1500000/);
    assert.equal(check(announce({ size: 1_500_000 }), trust({ slotSize: 1_500_000 })).kind, "install");
  });

  it("refuses a lower version unless signed as a downgrade, and a lower security counter always (no replayed downgrades)", () => {
    assert.match(refusal(announce({ version: "1.1.9", counter: 9 })), /^downgrade: version 1.1.9 is older than the running 1.2.0\+aaaaaaa/);
    assert.match(refusal(announce({ version: "2.0.0", counter: 4 })), /^downgrade: security counter 4 is below this device's 5/);
    assert.equal(check(announce({ version: "1.1.9", counter: 6, downgrade: true })).kind, "install");
    assert.match(refusal(announce({ version: "1.1.9", counter: 4, downgrade: true })), /^downgrade: security counter 4 is below this device's 5: an older release, replayed/);
    const result = check(announce({ version: "1.1.9", counter: 4 }));
    assert.ok(result.kind === "refused" && result.version === "1.1.9", "the refusal names the version");
  });

  it("refuses malformed announcements and manifests with a reason naming the field", () => {
    assert.match(refusal("not json"), /^malformed:/);
    assert.match(refusal("[]"), /^malformed:/);
    assert.match(refusal(JSON.stringify({ manifest: "x", key: keyIdOf(releaseKey.publicHex), signature: "zz".repeat(64) })), /^malformed: signature/);
    assert.match(refusal(" ".repeat(MAX_ANNOUNCEMENT_BYTES + 1)), /^malformed: the announcement is 2049 bytes/);
    const invalidUTF8 = checkAnnouncement(Uint8Array.of(0x7b, 0xff, 0x7d), trust());
    assert.equal(invalidUTF8.kind, "refused");
    // Correctly signed, with a bad field: the signature holds, the field does not.
    const manifest = JSON.stringify({ ...JSON.parse(JSON.parse(announce()).manifest as string), size: -1 });
    const signature = signBytes(bytes(manifest), releaseKey.privateKey).toString("hex");
    assert.match(refusal(JSON.stringify({ manifest, key: keyIdOf(releaseKey.publicHex), signature })), /^malformed: manifest size/);
    for (const [field, value, pattern] of [
      ["version", "1.3", /version/], ["counter", -1, /counter/], ["counter", 1.5, /counter/], ["size", 0, /size/],
      ["sha256", "ab", /sha256/], ["url", "ftp://x/y", /url/], ["downgrade", "yes", /downgrade/], ["target", "", /target/],
    ] as const) {
      const manifest = { ...JSON.parse(JSON.parse(announce()).manifest as string), [field]: value } as Record<string, unknown>;
      const problem = parseManifest(JSON.stringify(manifest));
      assert.equal(typeof problem, "string", field);
      assert.match(problem as string, pattern);
    }
  });
});
