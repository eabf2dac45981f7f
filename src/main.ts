/*
 * Composition root: reads the settings, builds the sensor, the MQTT client
 * and the telemetry loop, and starts them. The only module that touches the
 * platform (socket class, timers, `device`, `trace`); everything it wires
 * takes those as options.
 */

import TCP from "embedded:io/socket/tcp";
import config from "mc/config";
import { deviceTimers } from "./app/device-timers";
import { parseSettings } from "./app/settings";
import { Telemetry } from "./app/telemetry";
import { MQTTClient } from "./mqtt/client";
import type { SocketConstructor } from "./mqtt/transport";
import TMP102 from "./sensors/tmp102";

const log = (line: string) => trace(`${line}\n`);

const settings = parseSettings(config);
const base = `${settings.topicPrefix}/${settings.deviceId}`;
const topics = { temperature: `${base}/temperature`, status: `${base}/status` };

const bus = device.I2C?.default;
if (!bus) throw new Error("this board's provider has no default I2C bus (device.I2C.default)");
const thermometer = new TMP102({
  sensor: { ...bus, address: settings.sensorAddress },
  onError: (error) => log(`sensor: ${error.message}`),
});

const client = new MQTTClient({
  socket: { io: TCP as unknown as SocketConstructor },
  address: settings.broker.address,
  port: settings.broker.port,
  clientId: settings.clientId,
  keepalive: settings.keepalive,
  username: settings.username,
  password: settings.password,
  will: { topic: topics.status, payload: "offline", qos: 1, retain: true },
  birth: { topic: topics.status, payload: "online", qos: 1, retain: true },
  timers: deviceTimers,
  onConnect: ({ sessionPresent }) =>
    log(`mqtt: connected to ${settings.broker.address}:${settings.broker.port}${sessionPresent ? " (session resumed)" : ""}`),
  onDisconnect: (error) => log(`mqtt: disconnected: ${error.message}`),
  onError: (error) => log(`mqtt: ${error.message}`),
});

const telemetry = new Telemetry({
  client, thermometer, timers: deviceTimers, topics, interval: settings.interval,
  wallClock: () => Date.now(), log,
});

log(`sensor firmware: publishing ${topics.temperature} every ${settings.interval} ms to ${settings.broker.address}:${settings.broker.port}`);
client.start();
telemetry.start();
