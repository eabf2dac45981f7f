/*
 * Over-the-air updates end to end in the simulator, on both hosts: the
 * release pipeline (tools/ota/pipeline.ts) builds and signs v2 of the
 * simulator firmware from this tree, serves it over HTTP and announces it
 * on a real broker; a simulated device running v1 (the factory image) takes
 * it, reports progress, restarts into v2 from its flash slot and confirms it
 * through the health gate; a v3 that cannot reach the broker rolls back to
 * v2. Then, on both hosts, every refusal and power loss at 10, 50 and 90 %
 * of the download (the slot is written as the bytes arrive); HTTPS images on
 * both hosts; a download resumed after a dropped link (Node host).
 */

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SimulatedFlash } from "../../sim/flash";
import { type ManifestFields, signedAnnouncement } from "../../tools/ota/announcement";
import { generateSigningKey, type SigningKey } from "../../tools/ota/keys";
import { publishAnnouncement, release } from "../../tools/ota/pipeline";
import { type ReleaseServer, serveReleases } from "../../tools/ota/release-server";
import { startRealBroker, temporaryDirectory } from "../helpers/brokers";
import { makeCertificates, SERVER_NAME } from "../helpers/certificates";
import { Device } from "../helpers/device";
import { FaultProxy } from "../helpers/fault-proxy";
import { type Received, Subscriber } from "../helpers/subscriber";

const newKey = (): SigningKey => generateSigningKey("test");

const key = newKey();
let broker: Awaited<ReturnType<typeof startRealBroker>>;
let server: ReleaseServer;
let slowServer: ReleaseServer;
const out = temporaryDirectory("releases");

before(async () => {
  broker = await startRealBroker();
  server = await serveReleases(out);
  // About 300 KB/s: a download takes a second, long enough to pull the power in the middle of it.
  slowServer = await serveReleases(out, { bytesPerSecond: 300_000 });
});

after(async () => {
  await server.close();
  await slowServer.close();
  await broker.stop();
});

const status = (message: Received) => JSON.parse(message.payload) as { state: string; version?: string; running: string; percent?: number; reason?: string; message?: string };

/** A device running v1 (the working tree as its factory image), listening for updates on its own topic. */
function v1Device(host: "node" | "xs", name: string, storage = temporaryDirectory(`ota-${name}`), extra: Record<string, unknown> = {}) {
  const deviceId = `ota-${name}`;
  const config = {
    broker: broker.url, deviceId, version: "1.0.0", interval: 1000,
    "ota.publicKey": key.publicHex, "ota.counter": 1, "ota.topic": `test/${deviceId}/ota/sim`, "ota.healthTimeout": 15_000, ...extra,
  };
  // The simulated network names the image servers "images.test".
  const hosts = join(temporaryDirectory(`hosts-${name}`), "hosts");
  writeFileSync(hosts, "127.0.0.1 images.test\n");
  return { device: new Device(host, config, storage, { hosts }), storage, deviceId, announce: config["ota.topic"], statusTopic: `home/${deviceId}/ota` };
}

async function watch(topic: string): Promise<Subscriber> {
  return Subscriber.connect(broker.url, topic);
}

const waitState = (subscriber: Subscriber, state: string, version?: string, timeout = 20_000) =>
  subscriber.waitFor((m) => status(m).state === state && (version === undefined || status(m).version === version), timeout, `ota ${state}${version ? ` ${version}` : ""}`);

for (const host of ["node", "xs"] as const) {
  describe(`over-the-air update (${host} host)`, () => {
    it("takes a signed v2 from a server given by name, shows progress, restarts into it, confirms it; a v3 that cannot reach the broker rolls back to v2", async () => {
      const { device, storage, announce, statusTopic } = v1Device(host, `flow-${host}`);
      const statuses = await watch(statusTopic);
      const readings = await watch(`home/ota-flow-${host}/temperature`);
      try {
        await device.waitForLine(/mqtt: connected/);
        const v2 = await release({ target: "sim", key, out: join(out, `flow-${host}`), baseURL: `${slowServer.url.replace("127.0.0.1", "images.test")}/flow-${host}`, version: "2.0.0", counter: 2 });
        await publishAnnouncement(broker.url, announce, v2.announcement);

        const confirmed = await waitState(statuses, "confirmed", "2.0.0", 40_000);
        assert.equal(status(confirmed).running, "2.0.0");
        const seen = statuses.messages.map(status);
        const percents = seen.filter((s) => s.state === "downloading").map((s) => s.percent!);
        assert.ok(percents.length >= 5, `progress reported in steps: ${percents.join(", ")}`);
        assert.deepEqual(percents, [...percents].sort((a, b) => a - b), "progress only goes up");
        assert.equal(percents.at(-1), 100);
        const order = ["downloading", "installing", "restarting", "confirmed"].map((state) => seen.findIndex((s) => s.state === state));
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `states in order: ${seen.map((s) => s.state).join(" ")}`);
        assert.equal(device.boots, 2, "one restart");
        assert.match(device.lines.join("\n"), /bootloader: booting ota_0, new: pending verification \(2\.0\.0\)/);
        assert.match(device.lines.join("\n"), /sensor firmware 2\.0\.0/);
        const since = readings.messages.length;
        await readings.waitFor(() => readings.messages.length > since, 10_000, "a reading from v2");
        // The retained announcement is v2 itself now: nothing more to do.
        await waitState(statuses, "current", "2.0.0");

        // v3 is pinned to a broker that does not exist: it cannot pass the health gate.
        const v3 = await release({ target: "sim", key, out: join(out, `flow-${host}`), baseURL: `${server.url}/flow-${host}`, version: "3.0.0", counter: 3, config: { broker: "mqtt://127.0.0.1:1", "ota.healthTimeout": "3000" } });
        await publishAnnouncement(broker.url, announce, v3.announcement);
        const rolledBack = await waitState(statuses, "rolled-back", "3.0.0", 40_000);
        assert.equal(status(rolledBack).running, "2.0.0");
        assert.match(status(rolledBack).message!, /did not reach the broker/);
        assert.match(device.lines.join("\n"), /ota: rolling back/);
        // And it does not take v3 again from the retained announcement.
        await waitState(statuses, "refused", "3.0.0");
        const flash = new SimulatedFlash(storage).describe();
        assert.equal(flash.boot, "ota_0");
        assert.equal(flash.states.ota_0, "valid");
        assert.equal(flash.states.ota_1, "invalid");
      }
      finally {
        await device.kill();
        await statuses.close();
        await readings.close();
      }
    });
  });
}

for (const host of ["node", "xs"] as const) describe(`over-the-air update refusals (${host} host)`, () => {
  it("refuses unsigned, tampered, wrong-key, wrong-target, oversized, downgrade, short and altered images, and keeps running v1", async () => {
    const { device, storage, announce, statusTopic } = v1Device(host, `refusals-${host}`);
    const statuses = await watch(statusTopic);
    try {
      await device.waitForLine(/mqtt: connected/);
      const good = await release({ target: "sim", key, out: join(out, `refusals-${host}`), baseURL: `${server.url}/refusals-${host}`, version: "2.1.0", counter: 2 });
      const fields = good.manifest;
      const parsed = JSON.parse(good.announcement) as Record<string, string>;
      const imageBytes = readFileSync(good.imagePath);
      const variant = (name: string, bytes: Uint8Array) => {
        writeFileSync(join(out, `refusals-${host}/sim`, name), bytes);
        return `${server.url}/refusals-${host}/sim/${name}`;
      };
      const altered = Uint8Array.from(imageBytes);
      altered[altered.length - 10] ^= 0x20;
      const cases: { what: string; payload: string; reason: string }[] = [
        { what: "unsigned", payload: JSON.stringify({ manifest: parsed.manifest }), reason: "unsigned" },
        { what: "tampered", payload: JSON.stringify({ ...parsed, manifest: parsed.manifest.replace("2.1.0", "2.2.0") }), reason: "bad-signature" },
        { what: "wrong key", payload: signedAnnouncement(fields, newKey()), reason: "wrong-key" },
        { what: "wrong target", payload: signedAnnouncement({ ...fields, target: "esp32/nodemcu" }, key), reason: "wrong-target" },
        { what: "oversized", payload: signedAnnouncement({ ...fields, size: 2_000_000 }, key), reason: "oversized" },
        { what: "downgrade", payload: signedAnnouncement({ ...fields, version: "0.9.0", counter: 0 }, key), reason: "downgrade" },
        { what: "lower counter", payload: signedAnnouncement({ ...fields, version: "2.2.0", counter: 0 }, key), reason: "downgrade" },
        // A server whose file is shorter than the signed size (a cut connection is retried: test/unit/ota/agent.test.ts, http-download.test.ts).
        { what: "short image", payload: signedAnnouncement({ ...fields, url: variant("short.bin", imageBytes.subarray(0, imageBytes.length >> 1)) } as ManifestFields, key), reason: "protocol" },
        // Another version: the short image's release waits ten minutes before it is tried again.
        { what: "altered image", payload: signedAnnouncement({ ...fields, version: "2.1.1", url: variant("altered.bin", altered) } as ManifestFields, key), reason: "hash-mismatch" },
      ];
      for (const { what, payload, reason } of cases) {
        const since = statuses.messages.length;
        await publishAnnouncement(broker.url, announce, payload);
        const got = await statuses.waitFor((m) => statuses.messages.indexOf(m) >= since && ["refused", "failed"].includes(status(m).state), 20_000, `refusal of ${what}`);
        assert.equal(status(got).reason, reason, `${what}: ${got.payload}`);
        assert.equal(status(got).running, "1.0.0");
      }
      assert.equal(device.boots, 1, "never restarted");
      assert.equal(new SimulatedFlash(storage).describe().boot, "factory", "the boot selection never changed");
      await device.waitForLine(/ota: update refused \(bad-signature\)/);
    }
    finally {
      await device.kill();
      await statuses.close();
    }
  });
});

describe("over-the-air update over HTTPS (certificates made by openssl, which npm test installs)", () => {
  for (const host of ["node", "xs"] as const) {
    it(`downloads from an HTTPS server checked against ota.ca and ota.serverName (${host} host), and refuses one its CA did not sign`, async () => {
      const certificates = makeCertificates();
      const secure = await serveReleases(out, { tls: { cert: certificates.server.certificate.pem, key: certificates.server.key.pem } });
      const { device, announce, statusTopic } = v1Device(host, `https-${host}`, undefined, { "ota.ca": certificates.ca.pem, "ota.serverName": SERVER_NAME });
      const statuses = await watch(statusTopic);
      const stranger = v1Device(host, `https-stranger-${host}`, undefined, { "ota.ca": certificates.otherCA.pem, "ota.serverName": SERVER_NAME });
      try {
        await device.waitForLine(/mqtt: connected/);
        await stranger.device.waitForLine(/mqtt: connected/);
        const made = await release({ target: "sim", key, out: join(out, `https-${host}`), baseURL: `${secure.url}/https-${host}`, version: "2.5.0", counter: 2 });
        assert.match(made.manifest.url, /^https:\/\/127\.0\.0\.1:\d+\//);
        await publishAnnouncement(broker.url, announce, made.announcement);
        await publishAnnouncement(broker.url, stranger.announce, made.announcement);
        await waitState(statuses, "confirmed", "2.5.0", 40_000);
        await stranger.device.waitForLine(/ota: download interrupted at 0 of \d+ bytes \(.*(certificate|TLS|verify).*\); retrying/i, 20_000);
        assert.equal(stranger.device.boots, 1);
      }
      finally {
        await device.kill();
        await stranger.device.kill();
        await statuses.close();
        await secure.close();
      }
    });
  }
});

describe("over-the-air update over a dropped link (node host)", () => {
  it("resumes the download where the link dropped (HTTP Range) and installs an intact image", async () => {
    const proxy = await FaultProxy.start(Number(new URL(slowServer.url).port));
    const { device, announce, statusTopic } = v1Device("node", "resume");
    const statuses = await watch(statusTopic);
    try {
      await device.waitForLine(/mqtt: connected/);
      const made = await release({ target: "sim", key, out: join(out, "resume"), baseURL: `http://127.0.0.1:${proxy.port}/resume`, version: "2.4.0", counter: 2 });
      await publishAnnouncement(broker.url, announce, made.announcement);
      await statuses.waitFor((m) => status(m).state === "downloading" && (status(m).percent ?? 0) >= 40, 20_000, "download past 40%");
      proxy.cut();
      const line = await device.waitForLine(/ota: resuming at byte (\d+)/, 20_000);
      assert.ok(Number(/byte (\d+)/.exec(line)![1]) > 0);
      await waitState(statuses, "confirmed", "2.4.0", 40_000);
      assert.equal(proxy.connections, 2, "one download, resumed once");
      assert.match(device.lines.join("\n"), /download interrupted at \d+ of \d+ bytes/);
    }
    finally {
      await device.kill();
      await statuses.close();
      await proxy.stop();
    }
  });
});

for (const host of ["node", "xs"] as const) describe(`over-the-air update and power loss (${host} host)`, () => {
  it("boots the old image when the power goes at any point of the download, then finishes the update", async () => {
    const storage = temporaryDirectory(`ota-power-${host}`);
    const name = `power-${host}`;
    const slow = await release({ target: "sim", key, out: join(out, `power-${host}`), baseURL: `${slowServer.url}/power-${host}`, version: "2.3.0", counter: 2 });
    for (const cutAt of [10, 50, 90]) {
      const { device, announce, statusTopic } = v1Device(host, name, storage);
      const statuses = await watch(statusTopic);
      try {
        await device.waitForLine(/mqtt: connected/);
        await publishAnnouncement(broker.url, announce, slow.announcement);
        await statuses.waitFor((m) => status(m).state === "downloading" && (status(m).percent ?? 0) >= cutAt, 20_000, `download past ${cutAt}%`);
        await device.kill();
        assert.equal(new SimulatedFlash(storage).describe().boot, "factory", `cut at ${cutAt}%: the boot selection is unchanged`);
      }
      finally {
        await device.kill();
        await statuses.close();
      }
    }
    // Power back: the old image boots, sees the retained announcement again and this time finishes.
    const { device, statusTopic } = v1Device(host, name, storage);
    const statuses = await watch(statusTopic);
    try {
      await device.waitForLine(/bootloader: booting factory/);
      await device.waitForLine(/sensor firmware 1\.0\.0/);
      await waitState(statuses, "confirmed", "2.3.0", 40_000);
    }
    finally {
      await device.kill();
      await statuses.close();
    }
  });
});
