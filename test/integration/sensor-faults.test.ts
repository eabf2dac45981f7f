/*
 * A sensor that fails does not stop the others: with one chip faulted on the
 * simulated board (through the host's control channel), the firmware logs
 * the fault, keeps publishing the other sensors, and picks the faulted one
 * up again when the fault clears. On both simulator hosts.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Broker } from "../../tools/brokers";
import { startRealBroker } from "../helpers/brokers";
import { Device } from "../helpers/device";
import { Subscriber } from "../helpers/subscriber";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const host of ["node", "xs"] as const) {
  describe(`sensor faults (${host} host)`, () => {
    it("a faulted sensor is reported and retried while the others keep publishing", async () => {
      const broker: Broker = await startRealBroker();
      const base = `home/faults-${host}`;
      const subscriber = await Subscriber.connect(broker.url, `${base}/#`);
      const device = new Device(host, { broker: broker.url, deviceId: `faults-${host}`, interval: 200, sensors: "room=tmp102,air=sht3x" });
      try {
        await subscriber.waitFor((m) => m.topic === `${base}/air/humidity`, 10_000, "the SHT3x reading");
        for (const [fault, reason] of [[{ absent: true }, /not acknowledged|no SHT3x/], [{ corruptCrc: true }, /CRC|crc/]] as const) {
          device.control({ type: "fault", sensor: "air", faults: fault });
          await device.waitForLine(new RegExp(`sensor air: .*(${reason.source})`), 10_000);
          const since = Date.now();
          await sleep(700);
          const during = subscriber.messages.filter((m) => m.at > since + 300);
          assert.ok(during.some((m) => m.topic === `${base}/room/temperature`), "the TMP102 keeps publishing");
          assert.ok(!during.some((m) => m.topic.startsWith(`${base}/air/`)), `no reading from the faulted SHT3x (${JSON.stringify(fault)})`);
          device.control({ type: "fault", sensor: "air", faults: {} });
          const cleared = Date.now();
          await subscriber.waitFor((m) => m.topic === `${base}/air/temperature` && m.at > cleared, 10_000, "the SHT3x back");
        }
      }
      finally {
        await device.kill();
        await subscriber.close();
        await broker.stop();
      }
    });
  });
}
