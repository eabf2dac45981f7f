/*
 * The firmware on the Node host, end to end through each real broker
 * (mosquitto and aedes): birth, readings at the interval with the JSON shape,
 * the simulated room driving the reading, and the retained Last Will when
 * the device loses power.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Broker } from "../../tools/brokers";
import { availableBrokers, startBroker } from "../helpers/brokers";
import { Device } from "../helpers/device";
import { Subscriber } from "../helpers/subscriber";

for (const brokerName of availableBrokers()) {
  describe(`Node host against ${brokerName}`, () => {
    let broker: Broker;
    let device: Device;
    let subscriber: Subscriber;
    const deviceId = `it-${brokerName}`;
    const base = `home/${deviceId}`;

    before(async () => {
      broker = await startBroker(brokerName);
      subscriber = await Subscriber.connect(broker.url, `${base}/#`);
      device = new Device("node", { broker: broker.url, deviceId, interval: 300 });
    });
    after(async () => {
      await device?.kill();
      await subscriber?.close();
      await broker?.stop();
    });

    it("announces itself online, retained, at QoS 1", async () => {
      const online = await subscriber.waitFor((m) => m.topic === `${base}/status` && m.payload === "online", 15_000, "birth");
      assert.equal(online.qos, 1);
      const late = await Subscriber.connect(broker.url, `${base}/status`);
      try {
        const retained = await late.waitFor((m) => m.topic === `${base}/status`, 5000, "retained status");
        assert.deepEqual([retained.payload, retained.retain], ["online", true]);
      }
      finally {
        await late.close();
      }
    });

    it("publishes JSON readings at QoS 1 at the configured interval", async () => {
      const topic = `${base}/temperature`;
      await subscriber.waitFor((m) => m.topic === topic && JSON.parse(m.payload).seq >= 5, 15_000, "five readings");
      const readings = subscriber.messages.filter((m) => m.topic === topic);
      for (const m of readings) {
        const body = JSON.parse(m.payload) as { value: number; unit: string; ts: number; seq: number };
        assert.equal(m.qos, 1);
        assert.equal(body.unit, "°C");
        assert.equal(typeof body.value, "number");
        assert.ok(Math.abs(body.ts - m.at) < 5000, "ts is the wall clock");
      }
      const seqs = readings.map((m) => JSON.parse(m.payload).seq as number);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "every reading, in order, none lost");
      const gaps = readings.slice(2).map((m, i) => JSON.parse(m.payload).ts - JSON.parse(readings[i + 1].payload).ts);
      for (const gap of gaps) assert.ok(gap >= 250 && gap <= 600, `interval ~300 ms, got ${gap}`);
    });

    it("reports what the simulated room does, at the chip's resolution", async () => {
      device.control({ type: "temperature", value: -12.53 });
      const cold = await subscriber.waitFor((m) => m.topic === `${base}/temperature` && JSON.parse(m.payload).value < -12, 10_000, "the cold reading");
      assert.equal(JSON.parse(cold.payload).value, -12.5); // -12.53 degC is -200.48 counts of 0.0625: -200 -> -12.5
    });

    it("leaves a retained 'offline' Will when it loses power", async () => {
      await device.kill();
      await subscriber.waitFor((m) => m.topic === `${base}/status` && m.payload === "offline", 10_000, "the Will");
      const late = await Subscriber.connect(broker.url, `${base}/status`);
      try {
        const retained = await late.waitFor((m) => m.topic === `${base}/status`, 5000, "retained status");
        assert.deepEqual([retained.payload, retained.retain], ["offline", true]);
      }
      finally {
        await late.close();
      }
    });
  });
}
