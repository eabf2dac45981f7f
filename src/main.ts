/*
 * Composition root: reads the settings, builds the sensor, the MQTT client
 * and the telemetry loop, and starts them. The only module that touches the
 * platform (socket class, timers, `device`, `trace`); everything it wires
 * takes those as options.
 *
 * An mqtts:// broker gets the ECMA-419 TLS socket (`embedded:io/socket/tcp/tls`,
 * the Moddable SDK's example TLS socket on boards) with its options as the SDK
 * names them: `host` (the server name), `TCP: {io: TCP}` (what it runs over)
 * and `secure` (`certificate`: the CA; `clientCertificates`, `clientKey`).
 */

import TCP from "embedded:io/socket/tcp";
import TLS from "embedded:io/socket/tcp/tls";
import config from "mc/config";
import Preference from "preference";
import { deviceTimers } from "./app/device-timers";
import board from "host/board";
import { detectSensors } from "./app/auto-detect";
import type { SensorSpec } from "./app/sensor-config";
import { checkSensors, SensorSlot } from "./app/sensors";
import { parseSettings, type TLSSettings } from "./app/settings";
import { Telemetry } from "./app/telemetry";
import { MQTTClient } from "./mqtt/client";
import { PreferenceOutboxStore } from "./mqtt/preference-store";
import type { SocketConstructor, SocketOptions } from "./mqtt/transport";

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
const brokerName = `${settings.broker.address}:${settings.broker.port}${settings.tls ? ` (TLS, ${settings.tls.serverName})` : ""}`;
const base = `${settings.topicPrefix}/${settings.deviceId}`;
const topics = { status: `${base}/status` };

if (!settings.sensors.auto) checkSensors(settings.sensors.sensors, board);

const client = new MQTTClient({
  socket: socketOptions(settings.tls),
  address: settings.broker.address,
  port: settings.broker.port,
  clientId: settings.clientId,
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
  onConnect: ({ sessionPresent }) =>
    log(`mqtt: connected to ${brokerName}${sessionPresent ? " (session resumed)" : ""}`),
  onDisconnect: (error) => log(`mqtt: disconnected: ${describe(error)}`),
  onError: (error) => log(`mqtt: ${describe(error)}`),
});

/** Starts sampling the sensors: those configured, or those `auto` found. */
function startTelemetry(specs: SensorSpec[]): void {
  const sensors = specs.map((spec) => new SensorSlot(spec, board));
  // One sensor publishes at <base>/<quantity> (the seed's home/livingroom/temperature); several at <base>/<name>/<quantity>.
  const topic = (name: string, quantity: string) => (sensors.length === 1 ? `${base}/${quantity}` : `${base}/${name}/${quantity}`);
  log(`sensors on ${board.name}: ${specs.map((spec) => `${spec.name} (${spec.chip})`).join(", ")}; publishing under ${base} every ${settings.interval} ms`);
  new Telemetry({ client, sensors, timers: deviceTimers, topic, interval: settings.interval, wallClock: () => Date.now(), log }).start();
}

/** `sensors = "auto"`: probe the buses; with nothing found, look again every minute. */
function detect(): void {
  detectSensors(board, (found) => {
    if (found.length) return startTelemetry(found);
    log(`sensors: auto found no sensor on ${board.name}'s buses; looking again in a minute`);
    deviceTimers.set(detect, 60_000);
  });
}

log(`sensor firmware on ${board.name}, broker ${brokerName}`);
if (client.stats.restored) log(`mqtt: ${client.stats.restored} messages kept from before the restart will be sent`);
client.start();
if (settings.sensors.auto) detect();
else startTelemetry(settings.sensors.sensors);
