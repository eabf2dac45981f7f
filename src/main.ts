/*
 * Composition root: reads the settings and builds the MQTT client, the
 * status light and the application (src/app/application.ts) from the
 * platform's modules. The only module that touches the platform (socket
 * class, timers, preference storage, `trace`); everything it wires takes
 * those as options.
 *
 * An mqtts:// broker gets the ECMA-419 TLS socket (`embedded:io/socket/tcp/tls`,
 * the Moddable SDK's example TLS socket on boards) with its options as the SDK
 * names them: `host` (the server name), `TCP: {io: TCP}` (what it runs over)
 * and `secure` (`certificate`: the CA; `clientCertificates`, `clientKey`).
 */

import { Digest } from "crypt";
import TCP from "embedded:io/socket/tcp";
import TLS from "embedded:io/socket/tcp/tls";
import config from "mc/config";
import Preference from "preference";
import board from "host/board";
import dns from "host/dns";
import system from "host/system";
import slots from "host/update";
import { Application } from "./app/application";
import { deviceTimers } from "./app/device-timers";
import { PersistedSettings } from "./app/persisted-settings";
import { checkSensors } from "./app/sensors";
import { deviceIdFrom, parseSettings, type TLSSettings } from "./app/settings";
import { StatusLight } from "./app/status-light";
import { topicsFor } from "./app/topics";
import { MQTTClient } from "./mqtt/client";
import { PreferenceOutboxStore } from "./mqtt/preference-store";
import type { SocketConstructor, SocketOptions } from "./mqtt/transport";
import { OtaAgent, type OtaStore } from "./ota/agent";
import { parseVersion } from "./ota/version";

const log = (line: string) => trace(`${line}\n`);

/** An error's message, with its cause's (e.g. why the socket failed: "TLS: certificate has expired") unless already in it. */
function describe(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error && !error.message.includes(cause.message) ? `${error.message}: ${cause.message}` : error.message;
}

/** Socket options for the broker: TCP, or TLS for mqtts://. Never logged: they hold the client key. */
function socketOptions(tls: TLSSettings | undefined): SocketOptions {
  if (!tls) return { io: TCP as unknown as SocketConstructor };
  const secure: Record<string, unknown> = {};
  if (tls.ca) secure.certificate = tls.ca;
  if (tls.certificates) {
    secure.clientCertificates = tls.certificates;
    secure.clientKey = tls.key;
  }
  return { io: TLS as unknown as SocketConstructor, TCP: { io: TCP }, host: tls.serverName, secure };
}

const settings = parseSettings(config);
const deviceId = deviceIdFrom(settings.deviceId, system.macAddress());
const clientId = settings.clientId || `xs-sensor-${deviceId}`;
const brokerName = `${settings.broker.host}:${settings.broker.port}${settings.tls ? ` (TLS, ${settings.tls.serverName})` : ""}`;
const sensorCount = settings.sensors.auto ? 2 : settings.sensors.sensors.length;
const topics = topicsFor(settings.topicPrefix, deviceId, sensorCount);

if (!settings.sensors.auto) checkSensors(settings.sensors.sensors, board);

// Bound after the client: its callbacks reach the application and the update agent through these.
let application: Application | undefined;
let ota: OtaAgent | undefined;

const client = new MQTTClient({
  socket: socketOptions(settings.tls),
  host: settings.broker.host,
  dns,
  port: settings.broker.port,
  clientId,
  keepalive: settings.keepalive,
  username: settings.username,
  password: settings.password,
  will: { topic: topics.status, payload: "offline", qos: 1, retain: true },
  birth: { topic: topics.status, payload: "online", qos: 1, retain: true },
  timers: deviceTimers,
  // Readings accepted while the broker is away survive a reboot in the device's preference storage.
  outbox: {
    store: new PreferenceOutboxStore({ preference: Preference, maxRecordBytes: settings.outbox.recordBytes, maxMessages: settings.outbox.messages }),
    messages: settings.outbox.messages,
    overflow: settings.outbox.overflow,
  },
  onConnect: ({ sessionPresent }) => {
    log(`mqtt: connected to ${brokerName}${sessionPresent ? " (session resumed)" : ""}`);
    application?.connected();
    ota?.connected();
  },
  onDisconnect: (error) => {
    log(`mqtt: disconnected: ${describe(error)}`);
    application?.disconnected();
  },
  onError: (error) => log(`mqtt: ${describe(error)}`),
});

application = new Application({
  client, topics, deviceId, config, board, system, log,
  sensors: settings.sensors,
  timers: deviceTimers,
  light: new StatusLight(board.led, deviceTimers),
  persisted: new PersistedSettings(Preference, { recordBytes: settings.outbox.recordBytes }),
  wallClock: () => Date.now(),
  version: settings.version,
  discoveryPrefix: settings.discoveryPrefix,
});

/** The update agent, or undefined (and why, logged) where updates are off. */
function updateAgent(): OtaAgent | undefined {
  const { publicKey, target, counter, healthTimeoutMs, trialBoots, topic, ca, serverName } = settings.ota;
  const version = parseVersion(settings.version);
  const off = !slots ? `${system.name} cannot update itself over the air`
    : !publicKey ? "no ota.publicKey in config (npm run keygen makes the key pair)"
    : !version ? `version ${settings.version} is not MAJOR.MINOR.PATCH[+build]` : undefined;
  if (off || !slots || !publicKey || !version) {
    log(`ota: updates off: ${off}`);
    return undefined;
  }
  const store: OtaStore = {
    get: (key) => {
      const value = Preference.get("ota", key);
      return typeof value === "string" ? value : undefined;
    },
    set: (key, value) => Preference.set("ota", key, value),
    delete: (key) => Preference.delete("ota", key),
  };
  return new OtaAgent({
    client, slots, store, log, healthTimeoutMs, trialBoots,
    trust: { publicKey, target, counter, version: { ...version, text: settings.version }, slotSize: slots.boot.slotSize },
    topics: { announce: topic || `${settings.topicPrefix}/ota/${target}`, status: topics.ota },
    socket: { io: TCP as unknown as SocketConstructor },
    dns,
    // https:// images: the TLS socket, checking the server against ota.ca (and ota.serverName, else the URL's host).
    secureSocket: ca ? { io: TLS as unknown as SocketConstructor, TCP: { io: TCP }, host: serverName, secure: { certificate: ca } } : undefined,
    timers: deviceTimers,
    // Images are hashed by the SDK's native SHA-256 (crypt), not in JavaScript.
    newHash: () => {
      const digest = new Digest("SHA256");
      return { update: (bytes) => digest.write(bytes), digest: () => new Uint8Array(digest.close()) };
    },
    restart: () => system.restart(),
  });
}

ota = updateAgent();

log(`sensor firmware ${settings.version} on ${board.name === system.name ? board.name : `${system.name} (${board.name})`}, device ${deviceId}, broker ${brokerName}`);
if (client.stats.restored) log(`mqtt: ${client.stats.restored} messages kept from before the restart will be sent`);
application.start();
ota?.start();
