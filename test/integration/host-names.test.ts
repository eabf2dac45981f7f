/*
 * A broker given by host name, on both simulator hosts against mosquitto:
 * the firmware looks the name up (host/dns over the simulators' `net`, here
 * answered by the simulated network's hosts file) at every connection
 * attempt, so a name that moves is followed at the next reconnect; a name
 * that does not resolve is reported and retried, never a crash.
 */

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HOSTS } from "../../sim/launch";
import type { Broker } from "../../tools/brokers";
import { startRealBroker, temporaryDirectory } from "../helpers/brokers";
import { Device } from "../helpers/device";
import { Subscriber } from "../helpers/subscriber";

for (const host of HOSTS) {
  describe(`broker by host name (${host} host)`, () => {
    let broker: Broker;
    const devices: Device[] = [];
    const hosts = join(temporaryDirectory(`hosts-${host}`), "hosts");

    before(async () => {
      broker = await startRealBroker();
    });
    after(async () => {
      for (const device of devices) await device.kill();
      await broker?.stop();
    });

    it("follows the name to its new address at the next attempt, then publishes", async () => {
      const port = new URL(broker.url).port;
      const deviceId = `names-${host}`;
      const subscriber = await Subscriber.connect(broker.url, `home/${deviceId}/status`);
      try {
        // Nothing listens at 127.0.0.3 (loopback): the name first leads nowhere.
        writeFileSync(hosts, "127.0.0.3 broker.test\n");
        const device = new Device(host, { broker: `mqtt://broker.test:${port}`, deviceId, interval: 500 }, undefined, { hosts });
        devices.push(device);
        await device.waitForLine(new RegExp(`mqtt: cannot connect to 127\\.0\\.0\\.3:${port}`), 20_000);
        writeFileSync(hosts, "127.0.0.1 broker.test\n");
        await device.waitForLine(new RegExp(`mqtt: connected to broker\\.test:${port}`), 30_000);
        const online = await subscriber.waitFor((m) => m.payload === "online", 10_000, "birth through the name");
        assert.equal(online.retain, false, "live, not the retained copy");
      }
      finally {
        await subscriber.close();
      }
    });

    it("a name that does not resolve is reported and retried; the firmware keeps running", async () => {
      const device = new Device(host, { broker: "mqtt://nowhere.invalid:1883", deviceId: `nowhere-${host}` }, undefined, { hosts });
      devices.push(device);
      const first = device.lines.length;
      const pattern = /mqtt: cannot connect to the broker: host name "nowhere\.invalid" not found/;
      await device.waitForLine(pattern, 20_000);
      const seen = device.lines.findIndex((line, i) => i >= first && pattern.test(line));
      await device.waitForLine(pattern, 20_000, seen + 1);
      assert.ok(!device.lines.some((line) => /crash|uncaught/i.test(line)), device.lines.join("\n"));
    });
  });
}
