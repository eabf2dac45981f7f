/*
 * MQTT 3.1.1 client: connection lifecycle, keepalive, reconnect, QoS 0 and 1
 * publishing with in-flight resend. (QoS 2, subscriptions and a persistent
 * outbox build on this; see the project's MQTT issue.)
 *
 * States (one transition function, `#enter`):
 *   idle       constructed, `start()` not called yet
 *   connecting socket opening, then CONNECT sent and CONNACK awaited
 *   connected  CONNACK accepted; publishing and keepalive run
 *   waiting    link lost or refused; a reconnect is scheduled (backoff)
 *   closed     `close()` called; final
 *
 * Promises: a QoS 1 publish resolves on PUBACK; a QoS 0 publish resolves when
 * its bytes are queued on a connected link. Messages accepted at QoS 1 are
 * kept across reconnects and resent in order with DUP set. QoS 0 while not
 * connected, or QoS 1 with the outbox full, rejects at once (`OutboxFullError`,
 * counted in `stats`).
 */

import { ConnackCode, PROTOCOL_LEVEL_311 } from "./constants";
import { encode } from "./encoder";
import type { Packet, PublishPacket, QoS, Will } from "./packets";
import type { TimerHandle, Timers } from "./timers";
import { checkTopicName } from "./topics";
import { LinkError, type SocketOptions, Transport } from "./transport";
import { encodeUTF8 } from "./utf8";

export type ClientState = "idle" | "connecting" | "connected" | "waiting" | "closed";

/** Why the broker refused a connection (CONNACK return codes, 3.2.2.3). */
export type RefusalReason =
  | "unacceptable-protocol-version" | "identifier-rejected" | "server-unavailable"
  | "bad-username-or-password" | "not-authorized";

const refusals: Record<number, [RefusalReason, string]> = {
  [ConnackCode.unacceptableProtocolVersion]: ["unacceptable-protocol-version", "the broker does not speak MQTT 3.1.1"],
  [ConnackCode.identifierRejected]: ["identifier-rejected", "the broker rejected the client id; choose another (letters and digits, at most 23 are always accepted)"],
  [ConnackCode.serverUnavailable]: ["server-unavailable", "the broker is up but the MQTT service is unavailable; will retry"],
  [ConnackCode.badUsernameOrPassword]: ["bad-username-or-password", "the broker refused the user name or password; check the credentials in the configuration"],
  [ConnackCode.notAuthorized]: ["not-authorized", "the broker says this client is not authorized to connect; check the broker's access rules"],
};

/** The broker refused the connection. Never carries the credentials. */
export class ConnectionRefusedError extends Error {
  readonly reason: RefusalReason;
  readonly returnCode: number;
  constructor(returnCode: number) {
    const [reason, text] = refusals[returnCode];
    super(`connection refused: ${text} (CONNACK ${returnCode})`);
    this.reason = reason;
    this.returnCode = returnCode;
  }
}
ConnectionRefusedError.prototype.name = "ConnectionRefusedError";

export type TimeoutReason = "connect-timeout" | "keepalive-timeout";

/** No CONNACK in time, or a half-open link (no packet within 1.5 x keepalive). */
export class TimeoutError extends Error {
  readonly reason: TimeoutReason;
  constructor(reason: TimeoutReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
TimeoutError.prototype.name = "TimeoutError";

/** A publish that could not be accepted: not connected (QoS 0) or the outbox is full. */
export class OutboxFullError extends Error {
  readonly reason = "outbox-full" as const;
}
OutboxFullError.prototype.name = "OutboxFullError";

export interface WillOptions {
  topic: string;
  payload: string | Uint8Array;
  qos?: QoS;
  retain?: boolean;
}

export interface ReconnectOptions {
  /** First delay ceiling, ms (full jitter: the delay is random below it). */
  initialDelay?: number;
  /** Largest delay ceiling, ms. */
  maxDelay?: number;
  /** A connection that lasted this long resets the backoff, ms. */
  stableAfter?: number;
}

export interface ClientOptions {
  socket: SocketOptions;
  /** IP address of the broker (ECMA-419 sockets take addresses, not names). */
  address: string;
  port?: number;
  clientId: string;
  cleanSession?: boolean;
  /** Seconds, 0 to 65535; 0 disables keepalive. */
  keepalive?: number;
  username?: string;
  password?: string | Uint8Array;
  will?: WillOptions;
  /** Published before anything else after every CONNACK, e.g. a retained "online" (the Will's counterpart). */
  birth?: WillOptions;
  timers: Timers;
  /** Uniform in [0, 1); injected for tests. */
  random?: () => number;
  reconnect?: ReconnectOptions;
  /** QoS 1 messages sent and not yet acknowledged at once. */
  inflightWindow?: number;
  /** QoS 1 messages held (in flight and waiting) before publish rejects. */
  outboxLimit?: number;
  /** Time allowed from socket open to CONNACK, ms. */
  connectTimeout?: number;
  /** Largest packet accepted from the broker, bytes (default 16 KiB); a larger one closes the link. */
  maxPacketSize?: number;
  onConnect?: (info: { sessionPresent: boolean }) => void;
  onDisconnect?: (error: Error) => void;
  onError?: (error: Error) => void;
  onMessage?: (message: { topic: string; payload: Uint8Array; qos: QoS; retain: boolean }) => void;
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
}

export interface ClientStats {
  /** Connections accepted by the broker. */
  connects: number;
  /** Links lost or refused after `start()`. */
  disconnects: number;
  /** QoS 1 messages resent after a reconnect. */
  resent: number;
  /** Publishes rejected because nothing could hold them. */
  rejected: number;
}

interface Pending {
  packet: PublishPacket;
  /** The birth message: re-announced fresh on each connect, never resent. */
  birth?: true;
  resolve(): void;
  reject(error: Error): void;
}

function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${field} must be an integer from ${min} to ${max}, not ${String(value)}`);
  return value;
}

function bytes(field: string, value: unknown): Uint8Array {
  if (typeof value === "string") return encodeUTF8(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${field} must be a string or a Uint8Array`);
}

function qosOf(field: string, value: unknown): QoS {
  if (value === undefined) return 0;
  if (value !== 0 && value !== 1 && value !== 2) throw new RangeError(`${field} must be 0, 1 or 2, not ${String(value)}`);
  return value;
}

export class MQTTClient {
  readonly stats: ClientStats = { connects: 0, disconnects: 0, resent: 0, rejected: 0 };
  #state: ClientState = "idle";
  #transport: Transport | undefined;
  readonly #options: ClientOptions;
  readonly #connect: Packet;
  readonly #birth: PublishPacket | undefined;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #keepaliveMs: number;
  readonly #initialDelay: number;
  readonly #maxDelay: number;
  readonly #stableAfter: number;
  readonly #window: number;
  readonly #outboxLimit: number;
  readonly #connectTimeout: number;
  readonly #maxPacketSize: number;
  #attempt = 0;
  #connectedAt = 0;
  #lastSent = 0;
  #lastReceived = 0;
  #timer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  #nextId = 1;
  /** QoS 1 messages sent and awaiting PUBACK, by packet id, in send order. */
  readonly #inflight = new Map<number, Pending>();
  /** QoS 1 messages accepted but not yet sent (window full or offline), oldest first. */
  #waiting: Pending[] = [];

  constructor(options: ClientOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("MQTT client options must be an object");
    if (typeof options.socket?.io !== "function") throw new TypeError("socket must be {io: SocketClass, ...}, e.g. {io: TCP} from embedded:io/socket/tcp");
    if (typeof options.address !== "string" || options.address.length === 0) throw new TypeError("address must be the broker's IP address");
    if (typeof options.clientId !== "string") throw new TypeError("clientId must be a string");
    if (typeof options.timers?.set !== "function") throw new TypeError("timers must provide now(), set() and clear()");
    integer("port", options.port ?? 1883, 1, 65535);
    const keepalive = integer("keepalive", options.keepalive ?? 60, 0, 65535);
    this.#options = options;
    this.#timers = options.timers;
    this.#random = options.random ?? Math.random;
    this.#keepaliveMs = keepalive * 1000;
    this.#initialDelay = integer("reconnect.initialDelay", options.reconnect?.initialDelay ?? 1000, 1, 3_600_000);
    this.#maxDelay = integer("reconnect.maxDelay", options.reconnect?.maxDelay ?? 60_000, this.#initialDelay, 86_400_000);
    this.#stableAfter = integer("reconnect.stableAfter", options.reconnect?.stableAfter ?? 30_000, 0, 86_400_000);
    this.#window = integer("inflightWindow", options.inflightWindow ?? 10, 1, 65535);
    this.#outboxLimit = integer("outboxLimit", options.outboxLimit ?? 100, this.#window, 1_000_000);
    this.#connectTimeout = integer("connectTimeout", options.connectTimeout ?? 10_000, 1, 600_000);
    this.#maxPacketSize = integer("maxPacketSize", options.maxPacketSize ?? 16_384, 16, 268_435_460);

    const message = (field: string, given: WillOptions): Will => {
      if (given.retain !== undefined && typeof given.retain !== "boolean") throw new TypeError(`${field}.retain must be true or false`);
      return {
        topic: checkTopicName(`${field}.topic`, given.topic),
        payload: bytes(`${field}.payload`, given.payload),
        qos: qosOf(`${field}.qos`, given.qos),
        retain: given.retain ?? false,
      };
    };
    const will = options.will ? message("will", options.will) : undefined;
    if (options.birth) {
      const birth = message("birth", options.birth);
      if (birth.qos === 2) throw new RangeError("birth.qos 2 is not supported by this client yet; use 0 or 1");
      this.#birth = { type: "publish", ...birth, dup: false };
    }
    const connect: Packet = { type: "connect", protocolLevel: PROTOCOL_LEVEL_311, clientId: options.clientId, cleanSession: options.cleanSession ?? true, keepalive };
    if (will) connect.will = will;
    if (options.username !== undefined) connect.username = options.username;
    if (options.password !== undefined) connect.password = bytes("password", options.password);
    this.#connect = connect;
    encode(connect); // checks every CONNECT field now, not on the first attempt
  }

  get state(): ClientState {
    return this.#state;
  }

  /** QoS 1 messages the application published and the broker has not acknowledged (in flight plus waiting). */
  get pending(): number {
    let count = this.#inflight.size + this.#waiting.length;
    for (const pending of this.#inflight.values()) if (pending.birth) count--;
    for (const pending of this.#waiting) if (pending.birth) count--;
    return count;
  }

  /** Starts connecting, and reconnecting whenever the link is lost, until `close()`. */
  start(): void {
    if (this.#state !== "idle") throw new Error(`start() called in state ${this.#state}`);
    this.#open();
  }

  /**
   * Publishes `payload` to `topic`. Throws TypeError/RangeError for bad
   * arguments; otherwise returns a promise settled as described above.
   */
  publish(topic: string, payload: string | Uint8Array, options: PublishOptions = {}): Promise<void> {
    checkTopicName("topic", topic);
    const body = bytes("payload", payload);
    const qos = qosOf("qos", options.qos);
    if (qos === 2) throw new RangeError("qos 2 is not supported by this client yet; use 0 or 1");
    const retain = options.retain ?? false;
    if (typeof retain !== "boolean") throw new TypeError("retain must be true or false");
    if (this.#state === "closed") return Promise.reject(new Error("client is closed"));
    const packet: PublishPacket = { type: "publish", topic, payload: body, qos, retain, dup: false };

    if (qos === 0) {
      if (this.#state !== "connected") {
        this.stats.rejected++;
        return Promise.reject(new OutboxFullError("not connected: QoS 0 messages are not kept; use QoS 1 to have them delivered later"));
      }
      this.#send(packet);
      return Promise.resolve();
    }
    if (this.pending >= this.#outboxLimit) {
      this.stats.rejected++;
      return Promise.reject(new OutboxFullError(`outbox full: ${this.pending} QoS 1 messages await delivery (limit ${this.#outboxLimit})`));
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ packet, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Sends DISCONNECT if connected (the broker then drops the Will) and closes
   * the link once what is queued has been written, waiting at most
   * `lingerMs`; stops reconnecting. Unacknowledged QoS 1 messages are rejected.
   */
  close(lingerMs = 1000): void {
    if (this.#state === "closed") return;
    const transport = this.#transport;
    const connected = this.#state === "connected";
    this.#enter("closed");
    if (transport && connected) {
      transport.send(encode({ type: "disconnect" }));
      transport.end();
      if (transport.open) this.#timers.set(() => transport.close(), lingerMs);
    }
    else transport?.close();
    const error = new Error("client closed before the broker acknowledged the message");
    const settled = [...this.#inflight.values(), ...this.#waiting];
    this.#inflight.clear();
    this.#waiting = [];
    for (const pending of settled) pending.reject(error);
  }


  #enter(state: ClientState): void {
    this.#state = state;
    this.#timers.clear(this.#timer);
    this.#timers.clear(this.#deadline);
    this.#timer = this.#deadline = undefined;
    if (state !== "connecting" && state !== "connected") this.#transport = undefined;
  }

  #open(): void {
    this.#enter("connecting");
    const port = this.#options.port ?? 1883;
    let transport: Transport;
    try {
      transport = new Transport({
        socket: this.#options.socket,
        address: this.#options.address,
        port,
        maxPacketSize: this.#maxPacketSize,
        onOpen: () => {
          this.#lastSent = this.#timers.now();
          transport.send(encode(this.#connect));
        },
        onPacket: (packet) => this.#receive(packet),
        onClose: (error) => this.#linkLost(transport, error),
      });
    }
    catch (error) {
      this.#transport = undefined;
      this.#lost(error as Error);
      return;
    }
    this.#transport = transport;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#lost(new TimeoutError("connect-timeout", `no CONNACK within ${this.#connectTimeout} ms of connecting to ${this.#options.address}:${port}`));
    }, this.#connectTimeout);
  }

  #linkLost(transport: Transport, error: LinkError): void {
    if (transport !== this.#transport) return; // a link we already gave up on
    this.#lost(error);
  }

  #lost(error: Error): void {
    if (this.#state === "closed") return;
    const wasConnected = this.#state === "connected";
    const transport = this.#transport;
    this.#transport = undefined; // so its close is not reported back here
    transport?.close();
    if (wasConnected && this.#timers.now() - this.#connectedAt >= this.#stableAfter) this.#attempt = 0;
    this.stats.disconnects++;
    // Messages in flight go back to the front of the queue, in order, to be resent.
    if (this.#inflight.size || this.#waiting.some((pending) => pending.birth)) {
      const resend = [...this.#inflight.values()].filter((pending) => !pending.birth);
      for (const pending of resend) pending.packet.dup = true;
      this.#waiting = resend.concat(this.#waiting.filter((pending) => !pending.birth));
      this.#inflight.clear();
    }
    this.#enter("waiting");
    const ceiling = Math.min(this.#maxDelay, this.#initialDelay * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    const delay = Math.floor(this.#random() * ceiling);
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#open();
    }, delay);
    if (wasConnected) this.#options.onDisconnect?.(error);
    if (!(error instanceof LinkError && error.reason === "closed")) this.#options.onError?.(error);
  }

  #receive(packet: Packet): void {
    this.#lastReceived = this.#timers.now();
    this.#timers.clear(this.#deadline);
    this.#deadline = undefined;
    if (this.#state === "connecting") {
      if (packet.type !== "connack") return this.#protocolError(`expected CONNACK, got ${packet.type.toUpperCase()}`);
      this.#timers.clear(this.#timer);
      this.#timer = undefined;
      if (packet.returnCode !== ConnackCode.accepted) {
        this.#lost(new ConnectionRefusedError(packet.returnCode));
        return;
      }
      this.#state = "connected";
      this.#connectedAt = this.#lastReceived = this.#timers.now();
      this.stats.connects++;
      this.#scheduleKeepalive();
      this.#announce();
      this.#pump();
      this.#notify("onConnect", () => this.#options.onConnect?.({ sessionPresent: packet.sessionPresent }));
      return;
    }
    switch (packet.type) {
      case "puback": {
        const pending = this.#inflight.get(packet.packetId);
        if (!pending) return; // a duplicate ack for a message already settled
        this.#inflight.delete(packet.packetId);
        this.#pump();
        pending.resolve();
        return;
      }
      case "pingresp":
        return;
      case "publish":
        if (packet.qos === 1) this.#send({ type: "puback", packetId: packet.packetId! });
        else if (packet.qos === 2) return this.#protocolError("QoS 2 delivery is not supported by this client yet");
        this.#notify("onMessage", () => this.#options.onMessage?.({ topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: packet.retain }));
        return;
      default:
        return this.#protocolError(`unexpected ${packet.type.toUpperCase()} from the broker`);
    }
  }

  /** Runs an application callback; what it throws goes to onError and leaves the client's state intact. */
  #notify(name: string, callback: () => void): void {
    try {
      callback();
    }
    catch (error) {
      this.#options.onError?.(new Error(`${name} threw: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
    }
  }

  #protocolError(message: string): void {
    this.#lost(new LinkError("malformed", message));
  }

  /** Sends the birth message ahead of everything queued. Not counted against the outbox. */
  #announce(): void {
    const birth = this.#birth;
    if (!birth) return;
    const packet: PublishPacket = { ...birth };
    if (packet.qos === 0) return this.#send(packet);
    const report = (error: Error) => this.#options.onError?.(error);
    this.#waiting.unshift({ packet, birth: true, resolve: () => undefined, reject: report });
  }

  /** Moves waiting QoS 1 messages into flight while the window has room. */
  #pump(): void {
    while (this.#state === "connected" && this.#inflight.size < this.#window && this.#waiting.length) {
      const pending = this.#waiting.shift()!;
      if (pending.packet.dup) this.stats.resent++;
      // A resent message keeps its packet id (4.4); new ones never take an id a resend keeps.
      pending.packet.packetId ??= this.#allocateId();
      this.#inflight.set(pending.packet.packetId, pending);
      this.#send(pending.packet);
    }
  }

  /** A packet id not in flight and not kept by a message waiting to be resent (2.3.1-2). */
  #allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 65535 ? 1 : id + 1;
      if (!this.#inflight.has(id) && !this.#waiting.some((pending) => pending.packet.packetId === id)) return id;
    }
  }

  #send(packet: Packet): void {
    this.#transport?.send(encode(packet));
    this.#lastSent = this.#timers.now();
  }

  /**
   * PINGREQ when nothing was sent, or nothing received, for a keepalive
   * period (3.1.2.10 requires the first; the second catches a broker that went
   * silent while we kept publishing). Any packet must then arrive within half
   * a period, so a half-open link is dropped at most 1.5 periods after the
   * broker was last heard from.
   */
  #scheduleKeepalive(): void {
    if (!this.#keepaliveMs || this.#state !== "connected") return;
    const now = this.#timers.now();
    const due = Math.min(this.#lastSent, this.#lastReceived) + this.#keepaliveMs - now;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      if (this.#state !== "connected") return;
      const at = this.#timers.now();
      if (!this.#deadline && (at - this.#lastSent >= this.#keepaliveMs || at - this.#lastReceived >= this.#keepaliveMs)) {
        this.#send({ type: "pingreq" });
        this.#deadline = this.#timers.set(() => {
          this.#deadline = undefined;
          this.#lost(new TimeoutError("keepalive-timeout", `no answer from the broker within ${this.#keepaliveMs * 1.5 / 1000} s; the link is half-open`));
        }, this.#keepaliveMs / 2);
      }
      this.#scheduleKeepalive();
    }, Math.max(this.#deadline ? this.#keepaliveMs / 2 : 0, due));
  }

}
