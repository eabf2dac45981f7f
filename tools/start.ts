/*
 * `npm start`: the firmware in the simulator, with simulated sensors and an
 * embedded broker, printing every message the broker receives from it.
 * See USAGE in ./start-args.ts.
 */

import { lookup } from "node:dns/promises";
import net from "node:net";
import { rmSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { ROOT } from "../sim/firmware-modules";
import { SimulatedFlash } from "../sim/flash";
import { SimulatedDevice } from "../sim/launch";
import { preferenceFile } from "../sim/node/modules/preference";
import { isHost } from "../src/mqtt/resolver";
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
/** The broker's host as the firmware gets it: a name stays a name (the firmware looks it up itself). */
let brokerHost: string;
let brokerPort: number;
if (options.broker) {
  const host = options.broker.hostname.replace(/^\[|\]$/g, "");
  brokerPort = Number(options.broker.port || 1883);
  if (net.isIPv6(host)) fail(`broker ${host}: IPv6 is not supported; give an IPv4 address or a host name`);
  // Looked up here too, so a typo fails at once rather than as the firmware's retries.
  const address = net.isIP(host) ? host : (await lookup(host, { family: 4 }).catch(() => fail(`cannot resolve broker host ${host} (IPv4)`))).address;
  // The firmware takes RFC 1123 names (no "_", no trailing dot, no "127.1"); it gets the address of any other.
  brokerHost = isHost(host) ? host : address;
  if (brokerHost !== host) say(`broker ${host} is not a host name the firmware takes (letters, digits, hyphens); it gets ${address}`);
}
else {
  embedded = await startAedes();
  brokerHost = "127.0.0.1";
  brokerPort = embedded.port;
  say(`embedded broker (aedes) listening on mqtt://127.0.0.1:${brokerPort}`);
}
const brokerURL = `mqtt://${brokerHost}:${brokerPort}`;

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

let stopping = false;
let firmwareExited: () => void = () => undefined;
const firmwareGone = new Promise<void>((resolve) => { firmwareExited = resolve; });
const storage = join(ROOT, ".tmp/devices", `${options.host}-${deviceId}`);
// npm start runs this working tree: an update taken in an earlier run (npm run release) is erased, with the
// agent's memory of it; readings waiting in the outbox stay. Within a run, the device keeps what it installs.
new SimulatedFlash(storage).erase();
rmSync(preferenceFile("ota", storage), { force: true });
const firmware = new SimulatedDevice({
  host: options.host,
  storage,
  config,
}, {
  onLine: (line) => say(`[firmware] ${line}`),
  onRestart: () => say("firmware restarted the device; booting again"),
  onExit: (exitCode, signal) => {
    firmwareExited();
    if (stopping) return;
    say(`firmware exited (${signal ?? `code ${exitCode}`})`);
    void stop(1);
  },
});
say(`firmware started on the ${options.host === "xs" ? "XS engine (xsnap)" : "Node host"} (pid ${firmware.pid})`);

async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say("stopping the firmware (the broker will publish its Last Will)");
  firmware.kill("SIGTERM");
  await firmwareGone;
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the Will arrive
  await subscriber.endAsync();
  await embedded?.stop();
  process.exit(code);
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
if (options.duration) setTimeout(() => void stop(0), options.duration);
