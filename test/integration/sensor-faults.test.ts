/*
 * A sensor that fails does not stop the others: with one chip faulted on the
 * simulated board (through the host's control channel), the firmware logs
 * the fault, publishes its error state (the fault on <sensor>/error, "offline"
 * on <sensor>/availability), keeps publishing the other sensors, and picks
 * the faulted one up again (back "online") when the fault clears; diagnostics
 * count its errors. On both simulator hosts.
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
          assert.ok(!during.some((m) => /\/air\/(temperature|humidity)$/.test(m.topic)), `no reading from the faulted SHT3x (${JSON.stringify(fault)})`);
          // Its error state: the fault on its error topic, "offline" (retained) on its availability topic.
          const error = await subscriber.waitFor((m) => m.topic === `${base}/air/error` && reason.test(JSON.parse(m.payload).message), 5000, "the fault published");
          assert.equal(typeof JSON.parse(error.payload).ts, "number");
          const availability = subscriber.messages.filter((m) => m.topic === `${base}/air/availability`).at(-1)!;
          assert.equal(availability.payload, "offline");
          assert.ok(!subscriber.messages.some((m) => m.topic === `${base}/room/availability` && m.payload === "offline"), "the TMP102 stays online");
          // And in diagnostics: its error count and last fault.
          const asked = subscriber.messages.length;
          await subscriber.client.publishAsync(`${base}/command`, JSON.stringify({ command: "diagnostics" }), { qos: 1 });
          const report = await subscriber.waitFor((m) => subscriber.messages.indexOf(m) >= asked && m.topic === `${base}/diagnostics`, 5000, "diagnostics");
          const health = JSON.parse(report.payload).sensors as Record<string, { errors: number; lastError: { message: string } | null }>;
          assert.ok(health.air.errors > 0, "the SHT3x's errors are counted");
          assert.match(health.air.lastError!.message, reason);
          assert.equal(health.room.errors, 0);
          device.control({ type: "fault", sensor: "air", faults: {} });
          const cleared = Date.now();
          await subscriber.waitFor((m) => m.topic === `${base}/air/temperature` && m.at > cleared, 10_000, "the SHT3x back");
          assert.equal(subscriber.messages.filter((m) => m.topic === `${base}/air/availability`).at(-1)!.payload, "online");
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
