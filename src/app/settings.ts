/*
 * Firmware settings from `mc/config`: manifest.json's `config` defaults, with
 * `mcconfig ... key=value` overrides, which arrive as strings. Every value is
 * checked here, once; a bad one throws a TypeError or RangeError that names
 * the key and says what was expected. Keys the Moddable SDK adds (ssid, file,
 * ...) are ignored.
 */

export interface BrokerAddress {
  address: string;
  port: number;
}

export interface Settings {
  broker: BrokerAddress;
  deviceId: string;
  clientId: string;
  /** Topics are `<topicPrefix>/<deviceId>/<leaf>`. */
  topicPrefix: string;
  /** Sampling interval, ms. */
  interval: number;
  /** MQTT keepalive, seconds. */
  keepalive: number;
  username: string | undefined;
  password: string | undefined;
  sensorAddress: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Parses `mqtt://address:port`. ECMA-419 sockets connect to IP addresses;
 * `localhost` is taken as 127.0.0.1.
 */
export function parseBroker(key: string, value: unknown): BrokerAddress {
  if (typeof value !== "string") throw new TypeError(`${key} must be a string like "mqtt://192.168.1.10:1883"`);
  const match = /^mqtt:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(value);
  if (!match) throw new TypeError(`${key} ${JSON.stringify(value)} is not a broker URL like "mqtt://192.168.1.10:1883"`);
  const address = match[1] === "localhost" ? "127.0.0.1" : match[1];
  if (!IPV4.test(address)) throw new TypeError(`${key} host ${JSON.stringify(match[1])} must be an IPv4 address (this firmware does not resolve host names yet)`);
  const port = match[2] === undefined ? 1883 : Number(match[2]);
  if (!(port >= 1 && port <= 65535)) throw new RangeError(`${key} port must be 1 to 65535, not ${match[2]}`);
  return { address, port };
}

function text(config: Readonly<Record<string, unknown>>, key: string, fallback: string, pattern?: RegExp, hint?: string): string {
  const value = config[key] ?? fallback;
  if (typeof value !== "string") throw new TypeError(`config ${key} must be a string, not ${typeof value}`);
  if (pattern && !pattern.test(value)) throw new TypeError(`config ${key} ${JSON.stringify(value)} ${hint}`);
  return value;
}

function integer(config: Readonly<Record<string, unknown>>, key: string, fallback: number, min: number, max: number): number {
  const raw = config[key] ?? fallback;
  const value = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`config ${key} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return value;
}

const LEVEL = /^[^/+#\u0000]+$/;
const PREFIX = /^[^+#\u0000]+$/;

export function parseSettings(config: Readonly<Record<string, unknown>>): Settings {
  const deviceId = text(config, "deviceId", "sensor", LEVEL, "must be one topic level: no /, + or #");
  const optional = (key: string) => {
    const value = config[key];
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string") throw new TypeError(`config ${key} must be a string`);
    return value;
  };
  const sensor = config["sensor.address"] ?? 0x48;
  const sensorAddress = typeof sensor === "string" ? Number(sensor) : sensor;
  if (typeof sensorAddress !== "number" || !Number.isInteger(sensorAddress) || sensorAddress < 0 || sensorAddress > 0x7f)
    throw new RangeError(`config sensor.address must be a 7-bit I2C address such as 0x48 or 72, not ${JSON.stringify(sensor)}`);
  return {
    broker: parseBroker("config broker", config.broker ?? "mqtt://127.0.0.1:1883"),
    deviceId,
    clientId: text(config, "clientId", "", undefined) || `xs-sensor-${deviceId}`,
    topicPrefix: text(config, "topicPrefix", "home", PREFIX, "must not contain + or #"),
    interval: integer(config, "interval", 5000, 100, 86_400_000),
    keepalive: integer(config, "keepalive", 60, 0, 65535),
    username: optional("mqtt.username"),
    password: optional("mqtt.password"),
    sensorAddress,
  };
}
