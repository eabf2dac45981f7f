/*
 * Firmware settings from `mc/config`: manifest.json's `config` defaults, with
 * `mcconfig ... key=value` overrides, which arrive as strings. Every value is
 * checked here, once; a bad one throws a TypeError or RangeError that names
 * the key and says what was expected. Keys the Moddable SDK adds (ssid, file,
 * ...) are ignored. Messages never quote passwords, certificates or keys.
 */

import { isHost, isIPv4Address, literalAddress } from "../mqtt/resolver";
import { hexBytes } from "../ota/manifest";
import { parseSensors, type SensorsSetting } from "./sensor-config";

export interface BrokerAddress {
  /** An IPv4 address, or a host name the device looks up (DNS) at every connection attempt. */
  host: string;
  /** The host as the URL gives it ("localhost" stays a name here): the TLS server name unless mqtt.serverName says otherwise. */
  name: string;
  port: number;
  /** mqtts:// : the connection uses TLS (see `Settings.tls`). */
  tls: boolean;
}

/**
 * TLS settings for an mqtts:// broker. Certificates and the key arrive as PEM
 * text in config and are kept as DER, the form Moddable's TLS takes.
 */
export interface TLSSettings {
  /** The name the broker's certificate must carry: mqtt.serverName, else the broker URL's host name. */
  serverName: string;
  /** The CA that signs the broker's certificate (mqtt.ca), DER; undefined: the device's built-in roots. */
  ca: ArrayBuffer | undefined;
  /** The client certificate and any intermediates (mqtt.certificate), DER, leaf first; undefined: none. */
  certificates: ArrayBuffer[] | undefined;
  /** The client certificate's private key (mqtt.key), PKCS#8 DER; set exactly when `certificates` is. */
  key: ArrayBuffer | undefined;
}

export interface Settings {
  broker: BrokerAddress;
  /** "auto": derived from the MAC address on boards (see deviceIdFrom). */
  deviceId: string;
  /** "": xs-sensor-<device id>. */
  clientId: string;
  /** Topics are `<topicPrefix>/<deviceId>/<leaf>`. */
  topicPrefix: string;
  /** Sampling interval, ms. */
  interval: number;
  /** MQTT keepalive, seconds. */
  keepalive: number;
  username: string | undefined;
  password: string | undefined;
  /** Set exactly when the broker is mqtts://. */
  tls: TLSSettings | undefined;
  /** The attached sensors (parsed by ./sensor-config). */
  sensors: SensorsSetting;
  outbox: OutboxSettings;
  /** Home Assistant's discovery prefix (ha.prefix). */
  discoveryPrefix: string;
  /** Firmware version, shown in diagnostics and Home Assistant (version). */
  version: string;
  ota: OtaSettings;
}

/** Where readings wait while the broker is unreachable (see the MQTT client's outbox). */
export interface OtaSettings {
  /** The release key (ota.publicKey, 130 hex digits); undefined: updates are off. */
  publicKey: Uint8Array | undefined;
  /** What this firmware is built for (ota.target): "sim", "esp32/nodemcu", ... */
  target: string;
  /** The running image's security counter (ota.counter, stamped by the release pipeline). */
  counter: number;
  /** A new image must reach the broker and complete a QoS 1 publish within this of a boot (ota.healthTimeout, ms). */
  healthTimeoutMs: number;
  /** Boots a new image gets to do that (ota.trialBoots). */
  trialBoots: number;
  /** Where announcements come (ota.topic); empty: `<topicPrefix>/ota/<target>`. */
  topic: string;
  /** The CA that signed the image server's certificate (ota.ca, PEM), as DER: https:// images need it. */
  ca: ArrayBuffer | undefined;
  /** The name the image server's certificate carries (ota.serverName); default: the image URL's host. */
  serverName: string | undefined;
}

export interface OutboxSettings {
  /** Messages held; past it the overflow policy applies. */
  messages: number;
  overflow: "reject" | "drop-oldest";
  /** Largest record the device's preference storage takes (ESP32 NVS 4000, Pico 63); larger messages stay in RAM. */
  recordBytes: number;
}

/**
 * Parses `mqtt://host:port` (default port 1883) or `mqtts://host:port`
 * (TLS, default port 8883). The host is an IPv4 address or a host name;
 * `localhost` is taken as 127.0.0.1.
 */
export function parseBroker(key: string, value: unknown): BrokerAddress {
  if (typeof value !== "string") throw new TypeError(`${key} must be a string like "mqtt://broker.lan:1883", "mqtt://192.168.1.10:1883" or "mqtts://broker.example.com:8883"`);
  const match = /^(mqtts?):\/\/([^:/]+)(?::(\d+))?\/?$/.exec(value);
  if (!match) throw new TypeError(`${key} ${JSON.stringify(value)} is not a broker URL like "mqtt://broker.lan:1883", "mqtt://192.168.1.10:1883" or "mqtts://broker.example.com:8883"`);
  const tls = match[1] === "mqtts";
  const host = literalAddress(match[2]) ?? match[2];
  if (!isHost(host)) throw new TypeError(`${key} host ${JSON.stringify(match[2])} must be a host name such as "broker.lan" or an IPv4 address (IPv6 is not supported)`);
  const port = match[3] === undefined ? (tls ? 8883 : 1883) : Number(match[3]);
  if (!(port >= 1 && port <= 65535)) throw new RangeError(`${key} port must be 1 to 65535, not ${match[3]}`);
  return { host, name: match[2], port, tls };
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes standard base64 (whitespace ignored); undefined if it is not base64. */
function decodeBase64(text: string): ArrayBuffer | undefined {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  let at = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let group = 0;
    for (let j = 0; j < 4; j++) {
      const digit = BASE64.indexOf(clean[i + j]);
      group = (group << 6) | (digit < 0 ? 0 : digit);
    }
    for (let shift = 16; shift >= 0 && at < out.length; shift -= 8) out[at++] = (group >> shift) & 0xff;
  }
  return out.buffer;
}

interface PEMBlock {
  label: string;
  der: ArrayBuffer;
}

/**
 * The PEM blocks (`-----BEGIN label-----` base64 `-----END label-----`) in a
 * config value, decoded. Throws, naming the key but never quoting the value,
 * when it holds no block or a block that is not base64 DER. A literal "\n"
 * (two characters, as a shell passes it) counts as a line break.
 */
function pemBlocks(key: string, value: string): PEMBlock[] {
  const text = value.replace(/\\n/g, "\n").replace(/\r/g, "");
  const blocks: PEMBlock[] = [];
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const [, label, body, end] = match;
    if (end !== label) throw new TypeError(`config ${key} is not valid PEM: BEGIN ${label} ends with END ${end}`);
    if (body.includes(":")) throw new TypeError(`config ${key} is not usable PEM: its ${label} block has headers (an encrypted legacy key?); give it unencrypted`);
    const der = decodeBase64(body);
    if (!der || der.byteLength < 2 || new Uint8Array(der)[0] !== 0x30) throw new TypeError(`config ${key} is not valid PEM: its ${label} block is not base64-encoded DER`);
    blocks.push({ label, der });
  }
  if (!blocks.length) throw new TypeError(`config ${key} must be PEM text (-----BEGIN ...----- base64 -----END ...-----), and it is not`);
  return blocks;
}

function certificates(key: string, value: string, one: boolean): ArrayBuffer[] {
  const blocks = pemBlocks(key, value);
  const other = blocks.find((block) => block.label !== "CERTIFICATE");
  if (other) throw new TypeError(`config ${key} must hold ${one ? "a certificate" : "certificates"} (BEGIN CERTIFICATE), not ${/PRIVATE KEY/.test(other.label) ? "a private key" : `BEGIN ${other.label}`}`);
  if (one && blocks.length !== 1) throw new TypeError(`config ${key} must hold one certificate (the CA that signed the server's certificate), not ${blocks.length}`);
  return blocks.map((block) => block.der);
}

function privateKey(key: string, value: string): ArrayBuffer {
  const blocks = pemBlocks(key, value);
  if (blocks.length !== 1) throw new TypeError(`config ${key} must hold one private key, not ${blocks.length} PEM blocks`);
  const label = blocks[0].label;
  if (label === "ENCRYPTED PRIVATE KEY") throw new TypeError(`config ${key} must not be encrypted; convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem`);
  if (label === "RSA PRIVATE KEY" || label === "EC PRIVATE KEY")
    throw new TypeError(`config ${key} must be a PKCS#8 key (BEGIN PRIVATE KEY), as Moddable's TLS takes it, not BEGIN ${label}; convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem`);
  if (label !== "PRIVATE KEY") throw new TypeError(`config ${key} must be a private key (BEGIN PRIVATE KEY), not BEGIN ${label}`);
  return blocks[0].der;
}

/** The mqtt.* TLS keys: required and checked for mqtts://, refused for mqtt:// (they would be ignored). */
function parseTLS(broker: BrokerAddress, optional: (key: string) => string | undefined): TLSSettings | undefined {
  const serverName = optional("mqtt.serverName");
  const ca = optional("mqtt.ca");
  const certificate = optional("mqtt.certificate");
  const key = optional("mqtt.key");
  if (!broker.tls) {
    const given = ([["mqtt.serverName", serverName], ["mqtt.ca", ca], ["mqtt.certificate", certificate], ["mqtt.key", key]] as const)
      .filter(([, value]) => value !== undefined).map(([name]) => name);
    if (given.length) throw new TypeError(`config ${given.join(", ")} ${given.length > 1 ? "are" : "is"} for TLS, but broker is mqtt://; use an mqtts:// broker URL, or remove ${given.length > 1 ? "them" : "it"}`);
    return undefined;
  }
  if (serverName === undefined && isIPv4Address(broker.name))
    throw new TypeError("config mqtt.serverName is required with an mqtts:// broker given by IP address: the host name in the broker's certificate (the firmware checks the certificate against this name); or give the broker by that name");
  if (serverName !== undefined && !isHost(serverName)) throw new TypeError(`config mqtt.serverName ${JSON.stringify(serverName)} must be a host name such as "broker.example.com" (or an IPv4 address the certificate names)`);
  if ((certificate === undefined) !== (key === undefined))
    throw new TypeError(`config ${certificate === undefined ? "mqtt.key is set without mqtt.certificate" : "mqtt.certificate is set without mqtt.key"}: a client certificate needs both`);
  return {
    serverName: serverName ?? broker.name,
    ca: ca === undefined ? undefined : certificates("mqtt.ca", ca, true)[0],
    certificates: certificate === undefined ? undefined : certificates("mqtt.certificate", certificate, false),
    key: key === undefined ? undefined : privateKey("mqtt.key", key),
  };
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
  const broker = parseBroker("config broker", config.broker ?? "mqtt://127.0.0.1:1883");
  return {
    broker,
    deviceId,
    clientId: text(config, "clientId", "", undefined),
    topicPrefix: text(config, "topicPrefix", "home", PREFIX, "must not contain + or #"),
    interval: integer(config, "interval", 5000, 100, 86_400_000),
    keepalive: integer(config, "keepalive", 60, 0, 65535),
    username: optional("mqtt.username"),
    password: optional("mqtt.password"),
    tls: parseTLS(broker, optional),
    sensors: parseSensors(config.sensors ?? "tmp102"),
    outbox: {
      // At least the client's in-flight window (10): the outbox holds the messages in flight too.
      messages: integer(config, "outbox.messages", 100, 10, 1000),
      overflow: text(config, "outbox.overflow", "drop-oldest", /^(reject|drop-oldest)$/, `must be "reject" or "drop-oldest"`) as OutboxSettings["overflow"],
      recordBytes: integer(config, "outbox.recordBytes", 4000, 16, 1_000_000),
    },
    discoveryPrefix: text(config, "ha.prefix", "homeassistant", /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, "must be topic levels of letters, digits, _ and -"),
    version: text(config, "version", "0.0.0", /^[ -~]{1,40}$/, "must be 1 to 40 printable ASCII characters"),
    ota: parseOta(config),
  };
}

function parseOta(config: Readonly<Record<string, unknown>>): OtaSettings {
  const key = text(config, "ota.publicKey", "", /^(|04[0-9a-fA-F]{128})$/, "must be the release public key: 130 hex digits starting 04 (keys/ota-public.hex, made by npm run keygen)");
  const serverName = text(config, "ota.serverName", "");
  if (serverName && !isHost(serverName)) throw new TypeError(`config ota.serverName ${JSON.stringify(serverName)} must be a host name such as "updates.example.com" (or an IPv4 address the certificate names)`);
  return {
    publicKey: key ? hexBytes(key) : undefined,
    target: text(config, "ota.target", "sim", /^[a-z0-9_-]+(\/[a-z0-9_-]+)?$/, "must be a target such as sim or esp32/nodemcu"),
    counter: integer(config, "ota.counter", 0, 0, 0xffffffff),
    healthTimeoutMs: integer(config, "ota.healthTimeout", 120_000, 1000, 3_600_000),
    trialBoots: integer(config, "ota.trialBoots", 1, 1, 10),
    topic: text(config, "ota.topic", "", /^[^+#\u0000]*$/, "must be a topic name: no + or #"),
    ca: config["ota.ca"] ? certificates("ota.ca", text(config, "ota.ca", ""), true)[0] : undefined,
    serverName: serverName || undefined,
  };
}

/**
 * The device id: as configured, or for "auto" one derived from the MAC
 * address ("xs-" and its last six hex digits, as ESPHome and Tasmota
 * name devices), which stays the same across firmware updates.
 */
export function deviceIdFrom(configured: string, macAddress: string | undefined): string {
  if (configured !== "auto") return configured;
  if (!macAddress) throw new TypeError(`config deviceId "auto" takes the id from the MAC address, and this host has none; set deviceId`);
  return `xs-${macAddress.slice(-6)}`;
}
