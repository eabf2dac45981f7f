/*
 * `npm start`: the firmware in the simulator, with simulated sensors and an
 * embedded broker, printing every message the broker receives from it.
 * See USAGE in ./start-args.ts.
 */

import type { ChildProcess } from "node:child_process";
import { lookup } from "node:dns/promises";
import net from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import mqtt from "mqtt";
import { ROOT } from "../sim/firmware-modules";
import { launchFirmware } from "../sim/launch";
import { type Broker, startAedes } from "./brokers";
import { parseStartArgs, type StartOptions, UsageError, USAGE } from "./start-args";

function fail(message: string, code = 1): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(code);
}

let options: StartOptions;
try {
  options = parseStartArgs(process.argv.slice(2), process.env);
}
catch (error) {
  if (error instanceof UsageError) fail(error.message, 2);
  throw error;
}
if (options.help) {
  process.stdout.write(USAGE + "\n");
  process.exit(0);
}

const time = () => new Date().toISOString().slice(11, 23);
const say = (line: string) => process.stdout.write(`${time()}  ${line}\n`);

let embedded: Broker | undefined;
let brokerAddress: string;
let brokerPort: number;
if (options.broker) {
  const host = options.broker.hostname.replace(/^\[|\]$/g, "");
  brokerPort = Number(options.broker.port || 1883);
  try {
    brokerAddress = net.isIP(host) ? host : (await lookup(host, { family: 4 })).address;
  }
  catch {
    fail(`cannot resolve broker host ${host}`);
  }
}
else {
  embedded = await startAedes();
  brokerAddress = "127.0.0.1";
  brokerPort = embedded.port;
  say(`embedded broker (aedes) listening on mqtt://127.0.0.1:${brokerPort}`);
}
const brokerURL = `mqtt://${brokerAddress}:${brokerPort}`;

// The subscriber: an independent client (MQTT.js) that shows what the broker gets.
const config: Record<string, unknown> = { broker: brokerURL, ...(options.interval ? { interval: options.interval } : {}), ...options.set };
const deviceId = String(config.deviceId ?? "livingroom");
const prefix = String(config.topicPrefix ?? "home");
const subscriber = mqtt.connect(brokerURL, { clientId: `npm-start-${process.pid}`, reconnectPeriod: 0, connectTimeout: 5000 });
await new Promise<void>((resolve) => {
  subscriber.once("connect", () => resolve());
  subscriber.once("error", (error) => fail(`cannot reach broker ${brokerURL}: ${error.message}`));
  subscriber.once("close", () => fail(`cannot reach broker ${brokerURL}: connection closed`));
});
subscriber.removeAllListeners("close");
const topics = `${prefix}/${deviceId}/#`;
await subscriber.subscribeAsync(topics, { qos: 1 });
say(`subscribed to ${topics} on ${brokerURL}`);
subscriber.on("message", (topic, payload, packet) => {
  say(`${topic}  ${payload.toString()}  (QoS ${packet.qos}${packet.retain ? ", retained" : ""})`);
});

const firmware: ChildProcess = launchFirmware({
  host: options.host,
  storage: join(ROOT, ".tmp/devices", `${options.host}-${deviceId}`),
  config,
});
say(`firmware started on the ${options.host === "xs" ? "XS engine (xsnap)" : "Node host"} (pid ${firmware.pid})`);
for (const stream of [firmware.stdout!, firmware.stderr!]) {
  createInterface({ input: stream }).on("line", (line) => say(`[firmware] ${line}`));
}

let stopping = false;
async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  if (firmware.exitCode === null && firmware.signalCode === null) {
    say("stopping the firmware (the broker will publish its Last Will)");
    firmware.kill("SIGTERM");
    await new Promise((resolve) => firmware.once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the Will arrive
  }
  await subscriber.endAsync();
  await embedded?.stop();
  process.exit(code);
}

firmware.once("exit", (exitCode, signal) => {
  if (stopping) return;
  say(`firmware exited (${signal ?? `code ${exitCode}`})`);
  void stop(1);
});
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
if (options.duration) setTimeout(() => void stop(0), options.duration);
