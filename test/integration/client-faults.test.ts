/*
 * The firmware's MQTT client through a faulty network (a fault-injecting TCP
 * proxy) and a crashing broker (mosquitto, kill -9, restarted on its
 * persistence): half-open links are detected, delays are ridden out, a
 * connection reset mid-packet is recovered, and 1,000 QoS 1 messages across
 * 20 broker crashes and 20 cut connections all reach a persistent subscriber.
 *
 * mosquitto 2.0 acknowledges a PUBLISH before its next autosave (at most
 * every 2 s) writes it to disk, so a kill -9 in mid-traffic loses messages
 * it has already acknowledged, whoever the publisher is (MQTT.js loses them
 * the same way). The soak therefore partitions the network first (both
 * clients behind fault proxies that swallow everything), waits until the
 * broker has saved its database, and then kills it: the broker keeps all it
 * acknowledged, while the client loses its in-flight messages and their
 * acknowledgements to the partition and must resend every one of them.
 */

import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import mqtt from "mqtt";
import { type Broker, freePort } from "../../tools/brokers";
import { startRealBroker, temporaryDirectory } from "../helpers/brokers";
import { FaultProxy } from "../helpers/fault-proxy";
import { liveClient } from "../helpers/live-client";
import { Subscriber } from "../helpers/subscriber";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When mosquitto last wrote its database (0 if never). */
function savedAt(persistence: string): number {
  try {
    return statSync(join(persistence, "mosquitto.db")).mtimeMs;
  }
  catch {
    return 0;
  }
}

describe("MQTT client through network faults", () => {
  let broker: Broker;
  let proxy: FaultProxy;
  before(async () => {
    broker = await startRealBroker();
    proxy = await FaultProxy.start(broker.port);
  });
  after(async () => {
    await proxy?.stop();
    await broker?.stop();
  });

  it("detects a half-open link within 1.5 x keepalive and reconnects when the path returns", async (t) => {
    t.diagnostic(`broker: ${broker.name}`);
    const live = liveClient(proxy.url, { keepalive: 2 });
    live.client.start();
    await live.nextConnect();
    const silentFrom = Date.now();
    proxy.blackhole(true);
    while (!live.errors.some((e) => e.name === "TimeoutError")) {
      assert.ok(Date.now() - silentFrom < 4000, "not detected within 4 s");
      await sleep(20);
    }
    const detectedAfter = Date.now() - silentFrom;
    assert.ok(detectedAfter <= 3000 + 250, `detected after ${detectedAfter} ms; keepalive 2 s allows 3 s`);
    proxy.blackhole(false);
    proxy.cut(); // the dead connections themselves never recover
    await live.nextConnect();
    live.client.close();
  });

  it("rides out a slow link without false timeouts", async () => {
    const live = liveClient(proxy.url, { keepalive: 2 });
    live.client.start();
    await live.nextConnect();
    proxy.delay(400);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await live.client.publish("slow/t", `m${i}`, { qos: 1 });
    assert.ok(Date.now() - started >= 5 * 800, "each QoS 1 round trip took the delay both ways");
    await sleep(2500);
    assert.equal(live.client.stats.disconnects, 0);
    proxy.delay(0);
    live.client.close();
  });

  it("recovers from a reset in the middle of a packet and delivers the message", async () => {
    const sub = await Subscriber.connect(broker.url, "torn/#");
    const live = liveClient(proxy.url);
    live.client.start();
    await live.nextConnect();
    proxy.cutAfter(100);
    const big = "x".repeat(4000);
    await live.client.publish("torn/big", big, { qos: 1 });
    await sub.waitFor((m) => m.topic === "torn/big" && m.payload === big, 5000, "the torn message");
    assert.ok(live.client.stats.disconnects >= 1);
    live.client.close();
    await sub.close();
  });
});

describe("MQTT client soak: broker crashes and cut connections", () => {
  it("delivers 1,000 QoS 1 messages across 20 broker kill -9 and 20 cuts, none lost", async (t) => {
    const TOTAL = 1000, CRASHES = 20, CUTS = 20, WINDOW = 10;
    const port = await freePort();
    const persistence = temporaryDirectory("mosquitto-db");
    const options = { port, persistence, extra: ["autosave_interval 1"] };
    let broker = await startRealBroker(options);
    t.diagnostic(`broker: ${broker.name}`);
    if (!broker.process) {
      await broker.stop();
      t.skip("needs mosquitto: kill -9 and restart on its persistence (REQUIRE_MOSQUITTO=1 makes this a failure)");
      return;
    }
    const proxy = await FaultProxy.start(port);
    const subscriberProxy = await FaultProxy.start(port);

    // The persistent subscriber: its own session on the broker, QoS 1.
    const received = new Map<number, number>();
    const subscriber = await mqtt.connectAsync(subscriberProxy.url, { clientId: `soak-sub-${process.pid}`, clean: false, reconnectPeriod: 100 });
    await subscriber.subscribeAsync("soak/seq", { qos: 1 });
    subscriber.on("message", (_topic, payload) => {
      const seq = Number(payload.toString());
      received.set(seq, (received.get(seq) ?? 0) + 1);
    });

    const live = liveClient(proxy.url, {
      clientId: `soak-pub-${process.pid}`, cleanSession: false, keepalive: 5, inflightWindow: WINDOW,
      outbox: { messages: TOTAL }, reconnect: { initialDelay: 50, maxDelay: 500 },
    });
    try {
      live.client.start();
      await live.nextConnect();

      const acknowledged: Promise<void>[] = [];
      const acked = new Set<number>();
      const publishing = (async () => {
        for (let seq = 1; seq <= TOTAL; seq++) {
          acknowledged.push(live.client.publish("soak/seq", String(seq), { qos: 1 }).then(() => { acked.add(seq); }));
          if (seq % 10 === 0) await sleep(5);
        }
      })();

      let crashes = 0, cuts = 0;
      while (crashes < CRASHES || cuts < CUTS) {
        await sleep(120 + Math.floor(Math.random() * 120));
        if (cuts < CUTS && (cuts <= crashes || crashes >= CRASHES)) {
          proxy.reset();
          cuts++;
        }
        else {
          // Both clients back on this broker instance, some traffic, then a partition;
          // once the broker has saved everything it acknowledged, crash it and bring it back.
          while (live.client.state !== "connected" || !subscriber.connected) await sleep(20);
          await sleep(200);
          proxy.blackhole(true);
          subscriberProxy.blackhole(true);
          const partitioned = Date.now();
          while (savedAt(persistence) <= partitioned) await sleep(50);
          broker.process?.kill("SIGKILL");
          await broker.stop();
          crashes++;
          broker = await startRealBroker(options);
          proxy.blackhole(false);
          subscriberProxy.blackhole(false);
        }
      }
      await publishing;
      const settled = await Promise.race([Promise.all(acknowledged).then(() => true), sleep(30_000).then(() => false)]);
      assert.ok(settled, `the broker acknowledged ${acked.size} of ${TOTAL} messages in 30 s; client state ${live.client.state}, pending ${live.client.pending}, stats ${JSON.stringify(live.client.stats)}`);

      const deadline = Date.now() + 20_000;
      while (received.size < TOTAL && Date.now() < deadline) await sleep(100);
      const missing = [];
      for (let seq = 1; seq <= TOTAL; seq++) if (!received.has(seq)) missing.push(seq);
      const duplicates = [...received.values()].reduce((sum, n) => sum + n - 1, 0);
      t.diagnostic(`crashes ${crashes}, cuts ${cuts}, publisher reconnects ${live.client.stats.disconnects}, resent ${live.client.stats.resent}, duplicates at the subscriber ${duplicates}`);
      assert.deepEqual(missing, [], `${missing.length} messages lost (acknowledged by the broker to the publisher: ${missing.filter((seq) => acked.has(seq)).length}); subscriber connected: ${subscriber.connected}`);
      assert.ok(duplicates <= (CRASHES + CUTS) * WINDOW * 2, `duplicates ${duplicates} exceed what the window allows`);
    }
    finally {
      live.client.close();
      await subscriber.endAsync(true);
      await proxy.stop();
      await subscriberProxy.stop();
      await broker.stop();
    }
  });
});
