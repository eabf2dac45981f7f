/*
 * `npm run keygen` and `npm run release` as a user runs them: the key files
 * and their protection, every refusal with one clear line, and a whole
 * release (build, sign, serve, announce) checked from outside: the retained
 * announcement on a real broker verifies with the key, and the served image
 * (whole and by byte range) has the announced size and SHA-256.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";
import { startRealBroker, temporaryDirectory } from "../helpers/brokers";
import { Subscriber } from "../helpers/subscriber";

const tool = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "tools", name), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, OTA_SIGNING_KEY: "", ...env } });

describe("npm run keygen", () => {
  it("writes the private key readable by its owner only and the public key, and will not replace them without --force", () => {
    const keys = temporaryDirectory("keys");
    const keyFile = join(keys, "ota-signing.key.pem");
    const first = tool("keygen.ts", ["--out", keys]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const publicHex = readFileSync(join(keys, "ota-public.hex"), "utf8").trim();
    assert.match(publicHex, /^04[0-9a-f]{128}$/);
    assert.ok(first.stdout.includes(`ota.publicKey=${publicHex}`));
    const again = tool("keygen.ts", ["--out", keys]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists\. Devices built with its public key accept only updates it signs/);
    assert.equal(readFileSync(join(keys, "ota-public.hex"), "utf8").trim(), publicHex, "nothing replaced");
    assert.equal(tool("keygen.ts", ["--bogus"]).status, 2);
  });
});

describe("npm run release", () => {
  let broker: Awaited<ReturnType<typeof startRealBroker>>;
  const keys = temporaryDirectory("release-keys");
  const keyFile = join(keys, "ota-signing.key.pem");
  before(async () => {
    const made = tool("keygen.ts", ["--out", keys]);
    assert.equal(made.status, 0, made.stderr);
    broker = await startRealBroker();
  });
  after(async () => { await broker.stop(); });

  it("refuses what it cannot do with one line saying why", () => {
    const cases: [string[], RegExp, NodeJS.ProcessEnv?][] = [
      [["--serve"], /--target is required/],
      [["--target", "sim"], /give --base-url .* or --serve/],
      [["--target", "sim", "--base-url", "http://10.0.0.1", "--key", join(keys, "missing.pem")], /signing key .*missing\.pem does not exist/],
      [["--target", "pico_w", "--base-url", "http://10.0.0.1", "--key", keyFile], /Pico W cannot take over-the-air updates/],
      [["--target", "esp32/nodemcu", "--base-url", "http://10.0.0.1", "--key", keyFile], /\$MODDABLE is not set/, { MODDABLE: "" }],
      [["--target", "toaster", "--base-url", "http://10.0.0.1", "--key", keyFile], /unknown target "toaster"/],
      [["--target", "sim", "--base-url", "http://10.0.0.1", "--key", keyFile, "--version", "two"], /version "two" must be MAJOR\.MINOR\.PATCH/],
      [["--target", "sim", "--broker", "http://x", "--serve"], /--broker "http:\/\/x" is not an mqtt:\/\/ URL/],
      [["--target", "sim", "--frobnicate"], /unknown option --frobnicate/],
    ];
    for (const [args, message, env] of cases) {
      const result = tool("release.ts", [...args, "--out", temporaryDirectory("releases")], env);
      assert.notEqual(result.status, 0, args.join(" "));
      assert.match(result.stderr, message, args.join(" "));
      assert.equal(result.stderr.trim().split("\n")[0].startsWith("release: "), true);
    }
  });

  it("never releases the same version twice (a device may be resuming its download)", () => {
    const out = temporaryDirectory("releases");
    const args = ["--target", "sim", "--base-url", "http://10.0.0.1", "--key", keyFile, "--out", out, "--version", "1.2.3"];
    const first = tool("release.ts", args);
    assert.equal(first.status, 0, first.stderr);
    const second = tool("release.ts", args);
    assert.equal(second.status, 1);
    assert.match(second.stderr, /^release: .*1\.2\.3\.bin exists: version 1\.2\.3 was released already/);
  });

  it("builds, signs, serves and announces a simulator release that checks out from outside", async () => {
    const out = temporaryDirectory("releases");
    let subscriber: Subscriber | undefined;
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tools/release.ts"), "--target", "sim", "--serve", "0", "--broker", broker.url,
        "--key", keyFile, "--out", out, "--version", "4.5.6", "--counter", "9"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      const lines: string[] = [];
      let stderr = "";
      child.stderr!.on("data", (chunk) => { stderr += chunk; });
      const served = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child!.stdout! }).on("line", (line) => {
          lines.push(line);
          const match = /serving .* at (http:\/\/\S+)/.exec(line);
          if (match) resolve(match[1]);
        });
        child!.once("exit", (code) => reject(new Error(`release exited ${code}: ${stderr}\n${lines.join("\n")}`)));
      });
      assert.ok(lines.some((line) => /building the simulator image/.test(line)), lines.join("\n"));
      assert.ok(lines.some((line) => /^release: announced$/.test(line)), lines.join("\n"));

      // Subscribing after the release finished: what a device gets is the retained copy.
      subscriber = await Subscriber.connect(broker.url, "home/ota/sim");
      const message = await subscriber.waitFor(() => true, 10_000, "the retained announcement");
      assert.equal(message.retain, true);
      const announcement = JSON.parse(message.payload) as { manifest: string; key: string; signature: string };
      const publicHex = readFileSync(join(keys, "ota-public.hex"), "utf8").trim();
      const spki = Buffer.concat([Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex"), Buffer.from(publicHex, "hex")]);
      const publicKey = createPublicKey({ key: spki, format: "der", type: "spki" });
      assert.equal(verify("sha256", Buffer.from(announcement.manifest), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(announcement.signature, "hex")), true);
      const manifest = JSON.parse(announcement.manifest) as { version: string; counter: number; size: number; sha256: string; url: string; target: string };
      assert.deepEqual([manifest.version, manifest.counter, manifest.target], ["4.5.6", 9, "sim"]);
      assert.ok(manifest.url.startsWith(served), `${manifest.url} is under ${served}`);

      const whole = Buffer.from(await (await fetch(manifest.url)).arrayBuffer());
      assert.equal(whole.length, manifest.size);
      assert.equal(createHash("sha256").update(whole).digest("hex"), manifest.sha256);
      const tail = await fetch(manifest.url, { headers: { Range: "bytes=1000-" } });
      assert.equal(tail.status, 206);
      assert.equal(tail.headers.get("content-range"), `bytes 1000-${manifest.size - 1}/${manifest.size}`);
      assert.deepEqual(Buffer.from(await tail.arrayBuffer()), whole.subarray(1000));
    }
    finally {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await subscriber?.close();
    }
  });
});
