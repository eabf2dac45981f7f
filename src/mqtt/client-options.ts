/*
 * The MQTT client's options, and their check: every field is validated once,
 * at construction, and a bad one throws a TypeError or RangeError naming it.
 * Each default lives here and nowhere else.
 */

import { PROTOCOL_LEVEL_311 } from "./constants";
import { encode } from "./encoder";
import { MemoryOutboxStore, type OutboxStore } from "./outbox-store";
import type { ConnectPacket, QoS, Will } from "./packets";
import { isHost, isIPv4Address, literalAddress, type ResolverOptions } from "./resolver";
import type { OverflowPolicy, SessionLimits } from "./session";
import type { IncomingMessage } from "./subscriptions";
import type { Timers } from "./timers";
import { checkTopicName } from "./topics";
import type { SocketOptions } from "./transport";
import { encodeUTF8 } from "./utf8";

export interface MessageOptions {
  topic: string;
  payload: string | Uint8Array;
  qos?: QoS;
  retain?: boolean;
}

export interface ReconnectOptions {
  /** First delay ceiling, ms (full jitter: the delay is random below it). Default 1 s. */
  initialDelay?: number;
  /** Largest delay ceiling, ms. Default 60 s. */
  maxDelay?: number;
  /** A connection that lasted this long resets the backoff, ms. Default 30 s. */
  stableAfter?: number;
}

export interface OutboxOptions {
  /** Where accepted QoS 1/2 messages live until acknowledged. Default: RAM only. */
  store?: OutboxStore;
  /** Messages held, waiting and in flight. Default 100. */
  messages?: number;
  /** Topic and payload bytes held. Default 64 KiB. */
  bytes?: number;
  /** What a publish into a full outbox does. Default "reject". */
  overflow?: OverflowPolicy;
}

export interface ClientOptions {
  /** `{io: TCP}` (or a TLS socket class and its options), ECMA-419 style. */
  socket: SocketOptions;
  /** The broker's IPv4 address. Give this or `host`. */
  address?: string;
  /** The broker's host name (or IPv4 address), looked up with `dns` at every connection attempt. Give this or `address`. */
  host?: string;
  /** The DNS resolver for `host`, ECMA-419 style: `{io: Resolver, ...its options}` (src/mqtt/resolver.ts). */
  dns?: ResolverOptions;
  /** Default 1883. */
  port?: number;
  clientId: string;
  /** Default true. With false the broker keeps subscriptions and queued messages across connections. */
  cleanSession?: boolean;
  /** Seconds, 0 to 65535; 0 disables keepalive. Default 60. */
  keepalive?: number;
  username?: string;
  password?: string | Uint8Array;
  will?: MessageOptions;
  /** Published before anything else after every CONNACK, e.g. a retained "online" (the Will's counterpart). */
  birth?: MessageOptions;
  timers: Timers;
  /** Uniform in [0, 1); injected for tests. Default Math.random. */
  random?: () => number;
  reconnect?: ReconnectOptions;
  /** QoS 1/2 messages sent and not yet acknowledged at once. Default 10. */
  inflightWindow?: number;
  outbox?: OutboxOptions;
  /** Time allowed from socket open to CONNACK, ms. Default 10 s. */
  connectTimeout?: number;
  /** Largest packet accepted from the broker, bytes; a larger one closes the link. Default 16 KiB. */
  maxPacketSize?: number;
  /** Largest payload `publish` accepts, bytes. Default 16 KiB. */
  maxPayload?: number;
  onConnect?: (info: { sessionPresent: boolean }) => void;
  onDisconnect?: (error: Error) => void;
  onError?: (error: Error) => void;
  /** Every message received, whichever subscription it matched. */
  onMessage?: (message: IncomingMessage) => void;
}

/** Options after checking, with defaults applied. */
export interface ClientSettings {
  /** The broker: an IPv4 address, or a host name `dns` resolves. */
  host: string;
  port: number;
  keepaliveMs: number;
  initialDelay: number;
  maxDelay: number;
  stableAfter: number;
  connectTimeout: number;
  maxPacketSize: number;
  maxPayload: number;
  limits: SessionLimits;
  store: OutboxStore;
  connect: ConnectPacket;
  birth: Will | undefined;
  random: () => number;
}

export function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${field} must be an integer from ${min} to ${max}, not ${String(value)}`);
  return value;
}

export function bytesOf(field: string, value: unknown): Uint8Array {
  if (typeof value === "string") return encodeUTF8(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${field} must be a string or a Uint8Array`);
}

export function qosOf(field: string, value: unknown): QoS {
  if (value === undefined) return 0;
  if (value !== 0 && value !== 1 && value !== 2) throw new RangeError(`${field} must be 0, 1 or 2, not ${String(value)}`);
  return value;
}

export function retainOf(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new TypeError(`${field} must be true or false`);
  return value;
}

function message(field: string, given: MessageOptions): Will {
  if (typeof given !== "object" || given === null) throw new TypeError(`${field} must be {topic, payload, qos?, retain?}`);
  return {
    topic: checkTopicName(`${field}.topic`, given.topic),
    payload: bytesOf(`${field}.payload`, given.payload),
    qos: qosOf(`${field}.qos`, given.qos),
    retain: retainOf(`${field}.retain`, given.retain),
  };
}

function brokerHost(options: ClientOptions): string {
  const { address, host, dns } = options;
  if ((address === undefined) === (host === undefined)) throw new TypeError("give the broker as address (an IPv4 address) or host (a host name), not both and not neither");
  if (address !== undefined) {
    if (typeof address !== "string" || !isIPv4Address(address)) throw new TypeError(`address must be the broker's IPv4 address, such as "192.168.1.10", not ${JSON.stringify(address)}; give a name as host`);
    return address;
  }
  if (typeof host !== "string" || !isHost(host)) throw new TypeError(`host must be a host name such as "broker.example.com" or an IPv4 address, not ${JSON.stringify(host)}`);
  if (dns !== undefined && typeof dns?.io !== "function") throw new TypeError("dns must be {io: Resolver, ...}, e.g. the host's resolver (module host/dns)");
  if (!dns && !literalAddress(host)) throw new TypeError(`host ${JSON.stringify(host)} is a name: give a DNS resolver as dns: {io: Resolver}`);
  return host;
}

export function checkOptions(options: ClientOptions): ClientSettings {
  if (typeof options !== "object" || options === null) throw new TypeError("MQTT client options must be an object");
  if (typeof options.socket?.io !== "function") throw new TypeError("socket must be {io: SocketClass, ...}, e.g. {io: TCP} from embedded:io/socket/tcp");
  const host = brokerHost(options);
  if (typeof options.clientId !== "string") throw new TypeError("clientId must be a string");
  if (typeof options.timers?.set !== "function") throw new TypeError("timers must provide now(), set() and clear()");
  if (options.random !== undefined && typeof options.random !== "function") throw new TypeError("random must be a function returning [0, 1)");
  const keepalive = integer("keepalive", options.keepalive ?? 60, 0, 65535);
  const initialDelay = integer("reconnect.initialDelay", options.reconnect?.initialDelay ?? 1000, 1, 3_600_000);
  const window = integer("inflightWindow", options.inflightWindow ?? 10, 1, 65535);
  const overflow = options.outbox?.overflow ?? "reject";
  if (overflow !== "reject" && overflow !== "drop-oldest") throw new RangeError(`outbox.overflow must be "reject" or "drop-oldest", not ${JSON.stringify(overflow)}`);
  const store = options.outbox?.store ?? new MemoryOutboxStore();
  if (typeof store.load !== "function" || typeof store.add !== "function") throw new TypeError("outbox.store must implement OutboxStore");

  const connect: ConnectPacket = {
    type: "connect", protocolLevel: PROTOCOL_LEVEL_311, clientId: options.clientId,
    cleanSession: options.cleanSession ?? true, keepalive,
  };
  if (options.will !== undefined) connect.will = message("will", options.will);
  if (options.username !== undefined) connect.username = options.username;
  if (options.password !== undefined) connect.password = bytesOf("password", options.password);
  encode(connect); // checks every CONNECT field now, not on the first attempt

  return {
    host,
    port: integer("port", options.port ?? 1883, 1, 65535),
    keepaliveMs: keepalive * 1000,
    initialDelay,
    maxDelay: integer("reconnect.maxDelay", options.reconnect?.maxDelay ?? 60_000, initialDelay, 86_400_000),
    stableAfter: integer("reconnect.stableAfter", options.reconnect?.stableAfter ?? 30_000, 0, 86_400_000),
    connectTimeout: integer("connectTimeout", options.connectTimeout ?? 10_000, 1, 600_000),
    maxPacketSize: integer("maxPacketSize", options.maxPacketSize ?? 16_384, 16, 268_435_460),
    maxPayload: integer("maxPayload", options.maxPayload ?? 16_384, 0, 268_435_000),
    limits: {
      window,
      messages: integer("outbox.messages", options.outbox?.messages ?? 100, window, 1_000_000),
      bytes: integer("outbox.bytes", options.outbox?.bytes ?? 65_536, 1, 1_073_741_824),
      overflow,
    },
    store,
    connect,
    birth: options.birth === undefined ? undefined : message("birth", options.birth),
    random: options.random ?? Math.random,
  };
}
