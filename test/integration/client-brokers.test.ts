/*
 * The firmware's MQTT client against real brokers (mosquitto and aedes):
 * every QoS both ways, subscriptions, persistent sessions, retained
 * messages, and the Will when the link dies.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mqtt from "mqtt";
import type { Broker } from "../../tools/brokers";
import { availableBrokers, startBroker } from "../helpers/brokers";
import { FaultProxy } from "../helpers/fault-proxy";
import { liveClient } from "../helpers/live-client";
import { Subscriber } from "../helpers/subscriber";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

for (const name of availableBrokers()) {
  describe(`MQTT client against ${name}`, () => {
    let broker: Broker;
    before(async () => { broker = await startBroker(name); });
    after(async () => { await broker?.stop(); });

    it("publishes at QoS 0, 1 and 2 to an independent subscriber (MQTT.js)", async () => {
      const sub = await Subscriber.connect(broker.url, "qos/#");
      const live = liveClient(broker.url);
      live.client.start();
      await live.nextConnect();
      await live.client.publish("qos/0", "zero", { qos: 0 });
      await live.client.publish("qos/1", "one", { qos: 1 });
      await live.client.publish("qos/2", "two", { qos: 2 });
      for (const [topic, body] of [["qos/0", "zero"], ["qos/1", "one"], ["qos/2", "two"]])
        await sub.waitFor((m) => m.topic === topic && m.payload === body, 5000, topic);
      assert.deepEqual(sub.messages.filter((m) => m.topic === "qos/2").length, 1, "QoS 2 exactly once");
      live.client.close();
      await sub.close();
    });

    it("receives at QoS 0, 1 and 2, granted as asked, QoS 2 exactly once", async () => {
      const live = liveClient(broker.url);
      live.client.start();
      await live.nextConnect();
      assert.equal(await live.client.subscribe("in/0", { qos: 0 }), 0);
      assert.equal(await live.client.subscribe("in/1", { qos: 1 }), 1);
      assert.equal(await live.client.subscribe("in/2", { qos: 2 }), 2);
      const publisher = await mqtt.connectAsync(broker.url);
      await publisher.publishAsync("in/0", "a", { qos: 0 });
      await publisher.publishAsync("in/1", "b", { qos: 1 });
      await publisher.publishAsync("in/2", "c", { qos: 2 });
      await live.waitForMessages(3);
      assert.deepEqual(live.messages.map((m) => [m.topic, decode(m.payload), m.qos]).sort(), [["in/0", "a", 0], ["in/1", "b", 1], ["in/2", "c", 2]]);
      await publisher.endAsync();
      live.client.close();
    });

    it("gets retained messages on subscribe, flagged as retained", async () => {
      const publisher = await mqtt.connectAsync(broker.url);
      await publisher.publishAsync("kept/config", "v1", { qos: 1, retain: true });
      await publisher.endAsync();
      const live = liveClient(broker.url);
      live.client.start();
      await live.nextConnect();
      await live.client.subscribe("kept/#", { qos: 1 });
      await live.waitForMessages(1);
      assert.deepEqual([live.messages[0].topic, decode(live.messages[0].payload), live.messages[0].retain], ["kept/config", "v1", true]);
      live.client.close();
    });

    it("keeps its session with cleanSession false: messages sent while it was away arrive", async () => {
      const clientId = `persistent-${name}-${process.pid}`;
      const first = liveClient(broker.url, { clientId, cleanSession: false });
      first.client.start();
      await first.nextConnect();
      await first.client.subscribe("mail/#", { qos: 1 });
      first.client.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const publisher = await mqtt.connectAsync(broker.url);
      await publisher.publishAsync("mail/box", "while away", { qos: 1 });
      await publisher.endAsync();
      const again = liveClient(broker.url, { clientId, cleanSession: false });
      again.client.start();
      assert.equal((await again.nextConnect()).sessionPresent, true);
      await again.waitForMessages(1);
      assert.equal(decode(again.messages[0].payload), "while away");
      again.client.close();
    });

    it("renews its subscriptions after the broker forgot them", async () => {
      const proxy = await FaultProxy.start(broker.port);
      const live = liveClient(proxy.url);
      live.client.start();
      await live.nextConnect();
      await live.client.subscribe("renew/#", { qos: 1 });
      const reconnected = live.nextConnect();
      proxy.cut();
      assert.equal((await reconnected).sessionPresent, false);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const publisher = await mqtt.connectAsync(broker.url);
      await publisher.publishAsync("renew/x", "after", { qos: 1 });
      await publisher.endAsync();
      await live.waitForMessages(1);
      live.client.close();
      await proxy.stop();
    });

    it("the broker publishes the Will when the link dies, not after close()", async () => {
      const sub = await Subscriber.connect(broker.url, "will/#");
      const proxy = await FaultProxy.start(broker.port);
      const dying = liveClient(proxy.url, { will: { topic: "will/dying", payload: "gone", qos: 1 } });
      dying.client.start();
      await dying.nextConnect();
      proxy.reset();
      await sub.waitFor((m) => m.topic === "will/dying" && m.payload === "gone", 5000, "the Will");
      dying.client.close();
      const polite = liveClient(broker.url, { will: { topic: "will/polite", payload: "gone", qos: 1 } });
      polite.client.start();
      await polite.nextConnect();
      polite.client.close();
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(!sub.messages.some((m) => m.topic === "will/polite"), "DISCONNECT drops the Will");
      await sub.close();
      await proxy.stop();
    });
  });
}
