/*
 * The firmware on a real XS engine (the XS host), end to end through
 * mosquitto: an independent subscriber (MQTT.js) receives its readings, and
 * after the device is killed, its retained Last Will.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Broker } from "../../tools/brokers";
import { startRealBroker } from "../helpers/brokers";
import { Device } from "../helpers/device";
import { Subscriber } from "../helpers/subscriber";

describe("XS host end to end", () => {
  let broker: Broker;
  let device: Device;
  let subscriber: Subscriber;
  const base = "home/xs-e2e";

  before(async () => {
    broker = await startRealBroker();
    subscriber = await Subscriber.connect(broker.url, `${base}/#`);
    device = new Device("xs", { broker: broker.url, deviceId: "xs-e2e", interval: 250 });
  });
  after(async () => {
    await device?.kill();
    await subscriber?.close();
    await broker?.stop();
  });

  it(`runs on XS and publishes readings through the broker`, async (t) => {
    t.diagnostic(`broker: ${broker.name}`);
    await device.waitForLine(/mqtt: connected/);
    await subscriber.waitFor((m) => m.topic === `${base}/status` && m.payload === "online", 10_000, "birth");
    device.control({ type: "temperature", value: 31.25 });
    const reading = await subscriber.waitFor((m) => m.topic === `${base}/temperature` && JSON.parse(m.payload).value === 31.25, 10_000, "the reading");
    const body = JSON.parse(reading.payload) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ["seq", "ts", "unit", "value"]);
    assert.equal(reading.qos, 1);
  });

  it("leaves the retained Will when killed", async () => {
    await device.kill();
    await subscriber.waitFor((m) => m.topic === `${base}/status` && m.payload === "offline", 10_000, "the Will");
    const late = await Subscriber.connect(broker.url, `${base}/status`);
    try {
      const retained = await late.waitFor(() => true, 5000, "retained status");
      assert.deepEqual([retained.payload, retained.retain], ["offline", true]);
    }
    finally {
      await late.close();
    }
  });
});
