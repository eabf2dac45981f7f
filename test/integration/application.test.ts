/*
 * The telemetry application end to end, on the Node host and the XS host,
 * against mosquitto (aedes where mosquitto is not installed; CI requires
 * mosquitto): commands and their replies, remote configuration (applied,
 * persisted through a reboot, rejected whole when one key is bad), filters,
 * a minute-long broker outage in simulated time, Home Assistant discovery,
 * and the seed demo's paho-mqtt (Python) subscriber reading the readings.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Broker } from "../../tools/brokers";
import { startRealBroker } from "../helpers/brokers";
import { Device } from "../helpers/device";
import { FaultProxy } from "../helpers/fault-proxy";
import { type Received, Subscriber } from "../helpers/subscriber";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const json = (m: Received) => JSON.parse(m.payload) as Record<string, unknown>;

/** Publishes a command (or any payload) and waits for the reply that carries its id. */
async function ask(subscriber: Subscriber, base: string, leaf: "command" | "config/set", body: Record<string, unknown> | string, match?: (reply: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const since = subscriber.messages.length;
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  await subscriber.client.publishAsync(`${base}/${leaf}`, payload, { qos: 1 });
  const id = typeof body === "object" ? body.id : undefined;
  const reply = await subscriber.waitFor((m) => subscriber.messages.indexOf(m) >= since && m.topic === `${base}/${leaf === "command" ? "command" : "config"}/reply`
    && (id === undefined || json(m).id === id) && (!match || match(json(m))), 10_000, `the reply to ${payload}`);
  return json(reply);
}

/** The latest retained settings on <base>/config, as a new subscriber sees them. */
async function retainedConfig(broker: Broker, base: string): Promise<Record<string, unknown>> {
  const late = await Subscriber.connect(broker.url, `${base}/config`);
  try {
    const message = await late.waitFor((m) => m.topic === `${base}/config`, 5000, "the retained config");
    assert.equal(message.retain, true);
    return json(message);
  }
  finally {
    await late.close();
  }
}

const PYTHON = ["/usr/bin/python3", "python3"].find((path) => path === "python3" || existsSync(path))!;

/** Runs the paho-mqtt subscriber (test/helpers/paho_subscriber.py) until it has `count` messages. */
function pahoSubscriber(broker: Broker, filter: string, count: number): { subscribed: Promise<void>; messages: Promise<Received[]> } {
  const url = new URL(broker.url);
  const child = spawn(PYTHON, ["test/helpers/paho_subscriber.py", url.hostname, url.port, filter, String(count)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { subscribed = resolve; });
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes("\"subscribed\"")) subscribed();
  });
  child.stderr.on("data", (chunk: Buffer) => { err += chunk.toString(); });
  const messages = new Promise<Received[]>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`paho subscriber timed out; output:\n${out}${err}`)); }, 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`paho subscriber exited with ${code}: ${err || out}${/No module named 'paho'/.test(err) ? " (install python3-paho-mqtt)" : ""}`));
      resolve(out.split("\n").filter((line) => line.startsWith("{\"topic\"")).map((line) => ({ ...JSON.parse(line), at: 0 }) as Received));
    });
  });
  return { subscribed: ready, messages };
}

for (const host of ["node", "xs"] as const) {
  describe(`the application on the ${host} host`, () => {
    let broker: Broker;
    before(async () => { broker = await startRealBroker(); });
    after(async () => { await broker?.stop(); });

    it("answers every command, ignores retained ones, refuses malformed ones, and reboots on request", async () => {
      const deviceId = `app-${host}`;
      const base = `home/${deviceId}`;
      const subscriber = await Subscriber.connect(broker.url, `${base}/#`);
      // Left retained by someone: it would reboot the device at every connect if it were obeyed.
      await subscriber.client.publishAsync(`${base}/command`, JSON.stringify({ command: "reboot" }), { qos: 1, retain: true });
      const device = new Device(host, { broker: broker.url, deviceId, interval: 300 });
      try {
        await subscriber.waitFor((m) => m.topic === `${base}/status` && m.payload === "online", 15_000, "birth");
        await device.waitForLine(/command ignored: it was retained/);
        await subscriber.client.publishAsync(`${base}/command`, "", { qos: 1, retain: true });

        const diagnosticsReply = await ask(subscriber, base, "command", { id: 1, command: "diagnostics" });
        assert.deepEqual(diagnosticsReply, { id: 1, command: "diagnostics", ok: true, topic: `${base}/diagnostics` });
        const report = json(await subscriber.waitFor((m) => m.topic === `${base}/diagnostics`, 5000, "diagnostics"));
        assert.equal(report.firmware, "0.1.0");
        assert.equal(report.clock, "sntp");
        assert.equal(typeof report.ts, "number");
        assert.ok((report.mqtt as { connects: number }).connects >= 1);
        assert.equal(typeof (report.mqtt as { outbox: { depth: number } }).outbox.depth, "number");
        assert.deepEqual((report.sensors as Record<string, unknown>).tmp102, { chip: "tmp102", errors: 0, lastError: null });

        device.control({ type: "temperature", value: 30.25 });
        const sampled = await ask(subscriber, base, "command", { id: "s", command: "sample" });
        assert.deepEqual(sampled, { id: "s", command: "sample", ok: true, readings: { tmp102: { temperature: 30.25 } } });

        // Before SNTP has set the clock, readings carry the time since boot, marked as such, never a made-up date.
        device.control({ type: "clock", synced: false });
        device.control({ type: "temperature", value: 31.5 });
        await ask(subscriber, base, "command", { id: "u", command: "sample" });
        const unsynced = json(await subscriber.waitFor((m) => m.topic === `${base}/temperature` && json(m).value === 31.5, 5000, "a reading before the clock is set"));
        assert.equal(unsynced.ts, undefined);
        assert.equal(typeof unsynced.uptime, "number");
        assert.ok((unsynced.uptime as number) < 60_000, "ms since boot");
        device.control({ type: "clock", synced: true });
        device.control({ type: "temperature", value: 32 });
        await ask(subscriber, base, "command", { id: "v", command: "sample" });
        const synced = json(await subscriber.waitFor((m) => m.topic === `${base}/temperature` && json(m).value === 32, 5000, "a reading once the clock is set"));
        assert.ok(Math.abs((synced.ts as number) - Date.now()) < 5000, "epoch ms");

        const linesBefore = device.lines.length;
        assert.deepEqual(await ask(subscriber, base, "command", { id: 2, command: "identify", seconds: 1 }), { id: 2, command: "identify", ok: true, seconds: 1 });
        await sleep(1400);
        const led = device.lines.slice(linesBefore).filter((line) => /sim: pin 2 = [01]/.test(line));
        assert.ok(led.length >= 6, `the LED blinks (${led.length} changes)`);
        assert.match(led.at(-1)!, /= 0$/, "and goes dark again: connected");

        assert.deepEqual(await ask(subscriber, base, "command", { id: 3, command: "interval", value: 600 }), { id: 3, command: "interval", ok: true, interval: 600 });
        const changedAt = Date.now();
        await sleep(2000);
        const readings = subscriber.messages.filter((m) => m.topic === `${base}/temperature` && m.at > changedAt + 700).map((m) => json(m).ts as number);
        assert.ok(readings.length >= 2, "readings continue");
        for (let i = 1; i < readings.length; i++) assert.ok(readings[i] - readings[i - 1] >= 500, `every 600 ms now (${readings[i] - readings[i - 1]})`);

        const refusals: [Record<string, unknown> | string, RegExp][] = [
          ["reboot now", /not JSON/],
          ["[1, 2]", /a command is a JSON object/],
          [{ id: 4, command: "selfdestruct" }, /unknown command "selfdestruct"/],
          [{ id: 5, command: "interval", value: 5 }, /value must be an interval in ms from 100/],
          [{ id: 6, command: "identify", colour: "red" }, /identify takes no field "colour"/],
          [{ id: 7, command: "sample", sensor: "attic" }, /sensor must be one of tmp102/],
        ];
        for (const [body, error] of refusals) {
          const reply = await ask(subscriber, base, "command", body, (r) => r.ok === false);
          assert.match(String(reply.error), error);
        }
        assert.equal((await retainedConfig(broker, base)).interval, 600, "a refused command changes nothing");

        const refused = await ask(subscriber, base, "config/set", { "interval": 50, "sensors.tmp102.filter": "median:3", "broker": "mqtt://10.0.0.1:1883", "colour": "red" });
        assert.equal(refused.ok, false);
        assert.deepEqual(Object.keys(refused.errors as object).sort(), ["broker", "colour", "interval"]);
        assert.match((refused.errors as Record<string, string>).interval, /interval must be an integer from 100 to 86400000, not 50/);
        assert.match((refused.errors as Record<string, string>).broker, /only be set at build time/);
        assert.match((refused.errors as Record<string, string>).colour, /unknown setting colour/);
        assert.equal((await retainedConfig(broker, base))["sensors.tmp102.filter"], undefined, "one bad key: nothing applied");

        const accepted = await ask(subscriber, base, "config/set", { "sensors.tmp102.filter": "median:3", "diagnostics.interval": 0 });
        assert.equal(accepted.ok, true);
        assert.equal((accepted.config as Record<string, unknown>)["sensors.tmp102.filter"], "median:3");
        assert.deepEqual(await retainedConfig(broker, base), { "interval": 600, "readings.format": "json", "ha.discovery": true, "diagnostics.interval": 0, "sensors.tmp102.filter": "median:3" });

        const bootsBefore = device.boots;
        const rebootAt = subscriber.messages.length;
        assert.deepEqual(await ask(subscriber, base, "command", { id: 8, command: "reboot" }), { id: 8, command: "reboot", ok: true });
        const statuses = () => subscriber.messages.slice(rebootAt).filter((m) => m.topic === `${base}/status`).map((m) => m.payload);
        await subscriber.waitFor((m) => subscriber.messages.indexOf(m) >= rebootAt && m.topic === `${base}/status` && m.payload === "online", 15_000, "online again");
        assert.deepEqual(statuses(), ["offline", "online"], "a graceful offline, then the birth");
        assert.equal(device.boots, bootsBefore + 1, "the firmware restarted");
        const again = await retainedConfig(broker, base);
        assert.equal(again.interval, 600, "settings changed over MQTT outlive the reboot");
        assert.equal(again["sensors.tmp102.filter"], "median:3");
      }
      finally {
        await device.kill();
        await subscriber.close();
      }
    });

    it("filters readings: publishes on a change beyond delta and at least every heartbeat", async () => {
      const base = `home/filters-${host}`;
      const subscriber = await Subscriber.connect(broker.url, `${base}/temperature`);
      const device = new Device(host, { "broker": broker.url, "deviceId": `filters-${host}`, "interval": 100, "sensors.tmp102.filter": "delta:1,heartbeat:2s" });
      try {
        device.control({ type: "temperature", value: 20 });
        await subscriber.waitFor((m) => json(m).value === 20, 10_000, "the first reading");
        const first = subscriber.messages.findIndex((m) => json(m).value === 20);
        device.control({ type: "temperature", value: 20.5 }); // below delta
        await sleep(1200);
        assert.equal(subscriber.messages.length, first + 1, `nothing within delta and before the heartbeat: ${subscriber.messages.slice(first + 1).map((m) => m.payload)}`);
        const heartbeat = await subscriber.waitFor((m) => subscriber.messages.indexOf(m) > first, 3000, "the heartbeat");
        assert.equal(json(heartbeat).value, 20.5, "the heartbeat carries the latest value");
        device.control({ type: "temperature", value: 25 });
        await subscriber.waitFor((m) => json(m).value === 25, 2000, "the change beyond delta, at once");
      }
      finally {
        await device.kill();
        await subscriber.close();
      }
    });

    it("keeps every reading through a minute-long broker outage (simulated time), with the time each was taken", async () => {
      const base = `home/outage-${host}`;
      const proxy = await FaultProxy.start(Number(new URL(broker.url).port));
      const subscriber = await Subscriber.connect(broker.url, `${base}/temperature`);
      // 20x: the device's 5 s interval passes in 250 ms, its minute-long outage in 3 s.
      const device = new Device(host, { broker: proxy.url, deviceId: `outage-${host}`, interval: 5000 }, undefined, { timeScale: 20 });
      try {
        await subscriber.waitFor((m) => json(m).seq === 3, 15_000, "three readings");
        proxy.refuse(true);
        proxy.cut();
        await device.waitForLine(/mqtt: disconnected/);
        const cutAt = subscriber.messages.length;
        await sleep(3000);
        assert.equal(subscriber.messages.length, cutAt, "nothing arrives while the broker is unreachable");
        proxy.refuse(false);
        await device.waitForLine(/mqtt: connected/, 15_000, device.lines.findIndex((line) => /mqtt: disconnected/.test(line)));
        await sleep(1000);
        // QoS 1 is at least once: the reading in flight at the cut may come twice (same seq and ts); none may be missing.
        const all = subscriber.messages.map(json) as { seq: number; ts: number }[];
        const readings = all.filter((r, i) => all.findIndex((other) => other.seq === r.seq) === i);
        for (const r of all) assert.equal(r.ts, readings.find((other) => other.seq === r.seq)!.ts, "a repeat is the same reading");
        assert.deepEqual(readings.map((r) => r.seq), readings.map((_, i) => i + 1), "every reading, in order, none lost");
        assert.ok(readings.length - cutAt >= 10, `the outage's readings arrive (${readings.length - cutAt})`);
        for (let i = 1; i < readings.length; i++) {
          const gap = readings[i].ts - readings[i - 1].ts;
          assert.ok(gap >= 3000 && gap <= 7000, `each keeps the time it was taken: 5 s apart, not bunched at the reconnect (gap ${gap} ms at seq ${readings[i].seq})`);
        }
      }
      finally {
        await device.kill();
        await subscriber.close();
        await proxy.stop();
      }
    });

    it("keeps the newest readings when the outbox overflows during an outage, and counts the dropped ones", async () => {
      const base = `home/overflow-${host}`;
      const proxy = await FaultProxy.start(Number(new URL(broker.url).port));
      const subscriber = await Subscriber.connect(broker.url, `${base}/#`);
      const device = new Device(host, { "broker": proxy.url, "deviceId": `overflow-${host}`, "interval": 5000, "outbox.messages": 10, "diagnostics.interval": 0 }, undefined, { timeScale: 20 });
      try {
        await subscriber.waitFor((m) => m.topic === `${base}/temperature` && json(m).seq === 2, 15_000, "two readings");
        proxy.refuse(true);
        proxy.cut();
        await device.waitForLine(/mqtt: disconnected/);
        await sleep(5000); // about 20 readings (100 s of device time) for an outbox of 10
        proxy.refuse(false);
        await device.waitForLine(/mqtt: connected/, 15_000, device.lines.findIndex((line) => /mqtt: disconnected/.test(line)));
        // The device renews its subscriptions after connecting (clean session): until then a command finds no subscriber.
        for (let attempt = 0; ; attempt++) {
          const asked = subscriber.messages.length;
          await subscriber.client.publishAsync(`${base}/command`, JSON.stringify({ command: "diagnostics" }), { qos: 1 });
          await sleep(1000);
          if (subscriber.messages.slice(asked).some((m) => m.topic === `${base}/diagnostics`)) break;
          assert.ok(attempt < 10, "the device answers commands again after the outage");
        }
        const report = json(await subscriber.waitFor((m) => m.topic === `${base}/diagnostics`, 5000, "diagnostics"));
        const outbox = (report.mqtt as { outbox: { dropped: number; depth: number } }).outbox;
        const seqs = [...new Set(subscriber.messages.filter((m) => m.topic === `${base}/temperature`).map((m) => json(m).seq as number))];
        const missing = seqs.at(-1)! - seqs.length;
        assert.ok(outbox.dropped >= 5, `drop-oldest dropped readings and counted them (${outbox.dropped})`);
        // The count also covers other messages dropped while the outbox was full (a reply, the retained config).
        assert.ok(missing >= 5 && missing <= outbox.dropped, `every missing reading was counted as dropped: ${missing} missing, ${outbox.dropped} dropped (seqs ${seqs})`);
        const afterGap = seqs.findIndex((seq, i) => i > 0 && seq !== seqs[i - 1] + 1);
        assert.ok(afterGap > 0, "the oldest of the outage were dropped");
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "in the order taken");
        let kept = 1;
        while (seqs[afterGap + kept] === seqs[afterGap] + kept) kept++;
        assert.ok(kept >= 5, `the outbox's newest readings arrive together after the gap (${kept}: seqs ${seqs})`);
      }
      finally {
        await device.kill();
        await subscriber.close();
        await proxy.stop();
      }
    });

    it("announces its sensors to Home Assistant, and withdraws them when discovery is switched off", async () => {
      const deviceId = `ha-${host}`;
      const base = `home/${deviceId}`;
      const discovery = await Subscriber.connect(broker.url, `homeassistant/sensor/${deviceId}/+/config`);
      const subscriber = await Subscriber.connect(broker.url, `${base}/#`);
      const device = new Device(host, { "broker": broker.url, deviceId, "interval": 300, "sensors": "indoor=sht3x,outdoor=ds18b20", "sensors.outdoor.interval": 1000, "diagnostics.interval": 1000 });
      try {
        const names = ["indoor_temperature", "indoor_humidity", "outdoor_temperature"];
        for (const name of names) await discovery.waitFor((m) => m.topic === `homeassistant/sensor/${deviceId}/${name}/config`, 10_000, name);
        for (const message of discovery.messages) {
          assert.equal(message.retain, false, "live delivery"); // retained: checked below with a late subscriber
          const config = json(message);
          const quantity = String(config.device_class);
          assert.ok(["temperature", "humidity"].includes(quantity));
          assert.equal(config.unit_of_measurement, quantity === "temperature" ? "°C" : "%");
          assert.equal(config.state_class, "measurement");
          assert.match(String(config.unique_id), new RegExp(`^${deviceId}_(indoor|outdoor)_${quantity}$`));
          assert.equal(config.value_template, "{{ value_json.value }}");
          assert.deepEqual((config.availability as { topic: string }[]).map((a) => a.topic), [`${base}/status`, `${base}/${String(config.unique_id).split("_")[1]}/availability`]);
          assert.equal(config.availability_mode, "all");
          assert.deepEqual(config.device, { identifiers: [deviceId], name: deviceId, manufacturer: "xs-sensor-firmware", model: "simulator", sw_version: "0.1.0" });
          assert.equal((config.origin as { name: string }).name, "xs-sensor-firmware");
          // The state topic is where the readings are, and the template finds the number in them.
          const reading = await subscriber.waitFor((m) => m.topic === config.state_topic, 5000, `a reading on ${String(config.state_topic)}`);
          assert.equal(typeof json(reading).value, "number");
        }
        // Each sensor at its own interval; diagnostics every diagnostics.interval, unasked.
        await subscriber.waitFor(() => subscriber.messages.filter((m) => m.topic === `${base}/diagnostics`).length >= 2, 5000, "two periodic diagnostics");
        const stamps = (topic: string) => subscriber.messages.filter((m) => m.topic === topic).map((m) => json(m).ts as number);
        const gaps = (list: number[]) => list.slice(1).map((t, i) => t - list[i]);
        assert.ok(gaps(stamps(`${base}/outdoor/temperature`)).every((gap) => gap >= 900), `outdoor every 1000 ms: ${gaps(stamps(`${base}/outdoor/temperature`))}`);
        assert.ok(gaps(stamps(`${base}/indoor/temperature`)).every((gap) => gap < 600), `indoor every 300 ms: ${gaps(stamps(`${base}/indoor/temperature`))}`);
        assert.ok(stamps(`${base}/indoor/temperature`).length >= 2 * stamps(`${base}/outdoor/temperature`).length, "indoor more often");

        const late = await Subscriber.connect(broker.url, `homeassistant/sensor/${deviceId}/+/config`);
        await late.waitFor(() => late.messages.length === 3, 5000, "three retained configs");
        assert.ok(late.messages.every((m) => m.retain));
        await late.close();

        const before = discovery.messages.length;
        assert.equal((await ask(subscriber, base, "config/set", { "ha.discovery": false })).ok, true);
        await discovery.waitFor(() => discovery.messages.slice(before).filter((m) => m.payload === "").length === 3, 5000, "three removals");
        const gone = await Subscriber.connect(broker.url, `homeassistant/sensor/${deviceId}/+/config`);
        await sleep(500);
        assert.deepEqual(gone.messages, [], "no retained config left: Home Assistant forgets the entities");
        await gone.close();

        const stateBefore = discovery.messages.length;
        assert.equal((await ask(subscriber, base, "config/set", { "ha.discovery": true, "readings.format": "state" })).ok, true);
        await discovery.waitFor(() => discovery.messages.length >= stateBefore + 3, 5000, "discovery again");
        const humidity = json(discovery.messages.slice(stateBefore).find((m) => m.topic.includes("indoor_humidity"))!);
        assert.equal(humidity.state_topic, `${base}/state`);
        assert.equal(humidity.value_template, "{{ value_json.sensors.indoor.humidity }}");
        const state = json(await subscriber.waitFor((m) => m.topic === `${base}/state` && "indoor" in (json(m).sensors as object), 5000, "a state document"));
        assert.equal(typeof (state.sensors as { indoor: { humidity: number } }).indoor.humidity, "number");
      }
      finally {
        await device.kill();
        await subscriber.close();
        await discovery.close();
      }
    });

    it("serves the seed demo: a paho-mqtt (Python) subscriber reads home/livingroom/temperature unchanged", async () => {
      const base = "home/livingroom";
      const paho = pahoSubscriber(broker, `${base}/temperature`, 4);
      await paho.subscribed;
      const subscriber = await Subscriber.connect(broker.url, `${base}/temperature`);
      const device = new Device(host, { "broker": broker.url, "deviceId": "livingroom", "interval": 200, "readings.format": "plain" });
      try {
        const received = await paho.messages;
        await subscriber.waitFor(() => subscriber.messages.length >= 4, 5000, "the same four readings");
        assert.deepEqual(received.map((m) => [m.topic, m.payload, m.qos]), subscriber.messages.slice(0, 4).map((m) => [m.topic, m.payload, m.qos]));
        for (const m of received) assert.match(m.payload, /^-?\d+(\.\d+)?$/, "the seed's plain number");
        assert.ok(received.every((m) => m.qos === 1));
      }
      finally {
        await device.kill();
        await subscriber.close();
      }
    });
  });
}
