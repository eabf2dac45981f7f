/*
 * MQTT 3.1.1 client: the connection's lifecycle over an ECMA-419 socket,
 * keepalive, reconnect with backoff, and the packet flows of publishing,
 * receiving and subscribing. Session state (ids, in-flight messages, the
 * outbox and its persistence) lives in ./session; subscriptions in
 * ./subscriptions; option checks and defaults in ./client-options.
 *
 * States (one transition function, `#enter`):
 *   idle       constructed, `start()` not called yet
 *   connecting socket opening, then CONNECT sent and CONNACK awaited
 *   connected  CONNACK accepted; publishing and keepalive run
 *   waiting    link lost or refused; a reconnect is scheduled (backoff)
 *   closed     `close()` called; final
 *
 * Promises: a QoS 1/2 publish resolves when its flow completes (PUBACK,
 * PUBCOMP); a QoS 0 publish when its bytes are queued on a connected link.
 * QoS 1/2 messages accepted while offline or beyond the window wait in the
 * outbox, in order, and survive reconnects (and reboots, with a persistent
 * store); see ./session for the overflow policy. Subscriptions resolve with
 * the granted QoS. Bad arguments throw at once; faults reach `onError`.
 */

import { ConnackCode } from "./constants";
import { type ClientOptions, type ClientSettings, bytesOf, checkOptions, qosOf, retainOf } from "./client-options";
import { encode, encodeCheckedPublish } from "./encoder";
import { ClientClosedError, ConnectionRefusedError, OutboxFullError, TimeoutError } from "./errors";
import type { Packet, PublishPacket, QoS } from "./packets";
import { literalAddress, resolveHost } from "./resolver";
import { Session } from "./session";
import { type MessageHandler, Subscriptions } from "./subscriptions";
import type { TimerHandle, Timers } from "./timers";
import { checkTopicFilter, checkTopicName } from "./topics";
import { LinkError, Transport } from "./transport";
import { encodeUTF8 } from "./utf8";

export type { ClientOptions, MessageOptions, OutboxOptions, ReconnectOptions } from "./client-options";
export { ClientClosedError, ConnectionRefusedError, MessageDroppedError, OutboxFullError, SubscriptionRefusedError, TimeoutError } from "./errors";
export type { RefusalReason, TimeoutReason } from "./errors";
export type { IncomingMessage, MessageHandler } from "./subscriptions";

export type ClientState = "idle" | "connecting" | "connected" | "waiting" | "closed";

/** Topics whose bytes the client keeps; past it the cache starts afresh. */
const TOPIC_CACHE = 16;

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
}

export interface ClientStats {
  /** Connections accepted by the broker. */
  connects: number;
  /** Links lost or refused after `start()`. */
  disconnects: number;
  /** QoS 1/2 messages sent again after a reconnect. */
  resent: number;
  /** Publishes refused: outbox full, or QoS 0 while offline. */
  rejected: number;
  /** Messages the "drop-oldest" policy dropped. */
  dropped: number;
  /** Messages found in the outbox store at start (accepted before a reboot). */
  restored: number;
  /** QoS 2 messages received again and not delivered twice. */
  duplicates: number;
  /** QoS 1/2 messages too large for the outbox store, kept in RAM only. */
  unpersisted: number;
}

export class MQTTClient {
  #state: ClientState = "idle";
  #transport: Transport | undefined;
  readonly #options: ClientOptions;
  readonly #settings: ClientSettings;
  readonly #timers: Timers;
  readonly #session: Session;
  readonly #subscriptions = new Subscriptions();
  /** Encoded topic names by name: a sensor publishes to a handful of topics over and over. */
  readonly #topics = new Map<string, Uint8Array>();
  #attempt = 0;
  #connectedAt = 0;
  #lastSent = 0;
  #lastReceived = 0;
  #timer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  /** Cancels the broker's host name look-up in progress. */
  #cancelLookup: (() => void) | undefined;
  #connects = 0;
  #disconnects = 0;
  #rejectedQoS0 = 0;
  #duplicates = 0;

  constructor(options: ClientOptions) {
    this.#settings = checkOptions(options);
    this.#options = options;
    this.#timers = options.timers;
    this.#session = new Session(this.#settings.store, this.#settings.limits);
  }

  get state(): ClientState {
    return this.#state;
  }

  /** QoS 1/2 messages the application published and the broker has not fully acknowledged. */
  get pending(): number {
    return this.#session.pending;
  }

  get stats(): ClientStats {
    const counters = this.#session.counters;
    return {
      connects: this.#connects, disconnects: this.#disconnects, resent: counters.resent,
      rejected: counters.rejected + this.#rejectedQoS0, dropped: counters.dropped, restored: counters.restored,
      duplicates: this.#duplicates, unpersisted: counters.unpersisted,
    };
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
    if (!this.#topics.has(topic)) checkTopicName("topic", topic); // a cached topic was checked already
    const body = bytesOf("payload", payload);
    if (body.length > this.#settings.maxPayload) throw new RangeError(`payload is ${body.length} bytes; the limit (maxPayload) is ${this.#settings.maxPayload}`);
    const qos = qosOf("qos", options.qos);
    const retain = retainOf("retain", options.retain);
    if (this.#state === "closed") return Promise.reject(new ClientClosedError("client is closed"));
    if (qos === 0) {
      if (this.#state !== "connected") {
        this.#rejectedQoS0++;
        return Promise.reject(new OutboxFullError("not connected: QoS 0 messages are not kept; use QoS 1 to have them delivered later"));
      }
      this.#send({ type: "publish", topic, payload: body, qos, retain, dup: false });
      return Promise.resolve();
    }
    let accepted: Promise<void>;
    try {
      accepted = this.#session.accept({ topic, payload: body, qos, retain });
    }
    catch (error) {
      return Promise.reject(error);
    }
    this.#pump();
    return accepted;
  }

  /**
   * Subscribes to `filter`; `handler` gets the messages that match it (and
   * `onMessage` gets every message). Resolves with the granted QoS once the
   * broker acknowledges; rejects with SubscriptionRefusedError if it refuses.
   * Subscriptions are renewed on every connection where the broker kept no session.
   */
  subscribe(filter: string, options: { qos?: QoS } = {}, handler?: MessageHandler): Promise<QoS> {
    checkTopicFilter("filter", filter);
    const qos = qosOf("qos", options.qos);
    if (handler !== undefined && typeof handler !== "function") throw new TypeError("handler must be a function");
    if (this.#state === "closed") return Promise.reject(new ClientClosedError("client is closed"));
    const granted = this.#subscriptions.add(filter, qos, handler);
    if (this.#state === "connected") this.#renewSubscriptions(true);
    return granted;
  }

  /** Unsubscribes from `filter`; its handler gets nothing more. Resolves on UNSUBACK. */
  unsubscribe(filter: string): Promise<void> {
    checkTopicFilter("filter", filter);
    if (this.#state === "closed") return Promise.reject(new ClientClosedError("client is closed"));
    const done = this.#subscriptions.remove(filter);
    if (this.#state === "connected") this.#renewSubscriptions(true);
    return done;
  }

  /**
   * Sends DISCONNECT if connected (the broker then drops the Will) and closes
   * the link once what is queued has been written, waiting at most
   * `lingerMs`; stops reconnecting. Pending promises reject with
   * ClientClosedError; accepted messages stay in the outbox store for the
   * next start.
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
    const error = new ClientClosedError("client closed before the broker acknowledged");
    this.#session.abandon(error);
    this.#subscriptions.abandon(error);
  }

  #enter(state: ClientState): void {
    this.#state = state;
    this.#timers.clear(this.#timer);
    this.#timers.clear(this.#deadline);
    this.#timer = this.#deadline = undefined;
    this.#cancelLookup?.();
    this.#cancelLookup = undefined;
    if (state !== "connecting" && state !== "connected") this.#transport = undefined;
  }

  /** A connection attempt: looks the broker's host name up (an address, or localhost, passes through), then connects. */
  #open(): void {
    this.#enter("connecting");
    const { host, connectTimeout } = this.#settings;
    const literal = literalAddress(host);
    if (literal) return this.#connect(literal);
    this.#cancelLookup = resolveHost({
      dns: this.#options.dns, host, timers: this.#timers, timeoutMs: connectTimeout,
      onResolved: (address) => {
        this.#cancelLookup = undefined;
        this.#connect(address);
      },
      onError: (error) => {
        this.#cancelLookup = undefined;
        this.#lost(new LinkError("dns", `cannot connect to the broker: ${error.message}`, error));
      },
    });
  }

  #connect(address: string): void {
    const { port, connectTimeout } = this.#settings;
    let transport: Transport;
    try {
      transport = new Transport({
        socket: this.#options.socket,
        address,
        port,
        maxPacketSize: this.#settings.maxPacketSize,
        onOpen: () => {
          this.#lastSent = this.#timers.now();
          transport.send(encode(this.#settings.connect));
        },
        onPacket: (packet) => this.#receive(packet),
        onClose: (error) => {
          if (transport === this.#transport) this.#lost(error);
        },
      });
    }
    catch (error) {
      this.#lost(error as Error);
      return;
    }
    this.#transport = transport;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#lost(new TimeoutError("connect-timeout", `no CONNACK within ${connectTimeout} ms of connecting to ${address}:${port}`));
    }, connectTimeout);
  }

  #lost(error: Error): void {
    if (this.#state === "closed") return;
    const wasConnected = this.#state === "connected";
    const transport = this.#transport;
    this.#transport = undefined; // so its close is not reported back here
    transport?.close();
    if (wasConnected && this.#timers.now() - this.#connectedAt >= this.#settings.stableAfter) this.#attempt = 0;
    this.#disconnects++;
    this.#session.linkLost();
    this.#subscriptions.linkLost();
    this.#enter("waiting");
    const { initialDelay, maxDelay, random } = this.#settings;
    const ceiling = Math.min(maxDelay, initialDelay * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#open();
    }, Math.floor(random() * ceiling));
    if (wasConnected) this.#notify("onDisconnect", () => this.#options.onDisconnect?.(error));
    if (!(error instanceof LinkError && error.reason === "closed")) this.#options.onError?.(error);
  }

  #receive(packet: Packet): void {
    this.#lastReceived = this.#timers.now();
    this.#timers.clear(this.#deadline);
    this.#deadline = undefined;
    if (this.#state === "connecting") return this.#connack(packet);
    switch (packet.type) {
      case "puback":
        if (this.#session.puback(packet.packetId)) this.#pump();
        return;
      case "pubrec": {
        const pubrel = this.#session.pubrec(packet.packetId);
        // An unknown id: the broker still holds a message we no longer know; release it (4.3.3).
        this.#send(pubrel ?? { type: "pubrel", packetId: packet.packetId });
        return;
      }
      case "pubcomp":
        if (this.#session.pubcomp(packet.packetId)) this.#pump();
        return;
      case "publish":
        return this.#incoming(packet);
      case "pubrel":
        this.#session.release(packet.packetId);
        this.#send({ type: "pubcomp", packetId: packet.packetId });
        return;
      case "suback":
        if (!this.#subscriptions.suback(packet.packetId, packet.returnCodes)) return this.#protocolError(`SUBACK for unknown packet id ${packet.packetId}`);
        this.#session.releaseRequest(packet.packetId);
        return;
      case "unsuback":
        this.#subscriptions.unsuback(packet.packetId);
        this.#session.releaseRequest(packet.packetId);
        return;
      case "pingresp":
        return;
      default:
        return this.#protocolError(`unexpected ${packet.type.toUpperCase()} from the broker`);
    }
  }

  #connack(packet: Packet): void {
    if (packet.type !== "connack") return this.#protocolError(`expected CONNACK, got ${packet.type.toUpperCase()}`);
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    if (packet.returnCode !== ConnackCode.accepted) return this.#lost(new ConnectionRefusedError(packet.returnCode));
    this.#state = "connected";
    this.#connectedAt = this.#lastReceived = this.#timers.now();
    this.#connects++;
    if (!packet.sessionPresent) this.#session.brokerSessionLost();
    this.#scheduleKeepalive();
    const birth = this.#settings.birth;
    if (birth?.qos === 0) this.#send({ type: "publish", ...birth, dup: false });
    else if (birth) this.#session.announce({ ...birth, qos: birth.qos as 1 | 2 });
    this.#renewSubscriptions(packet.sessionPresent);
    this.#pump();
    this.#notify("onConnect", () => this.#options.onConnect?.({ sessionPresent: packet.sessionPresent }));
  }

  #incoming(packet: PublishPacket): void {
    if (packet.qos === 1) this.#send({ type: "puback", packetId: packet.packetId! });
    else if (packet.qos === 2) {
      const first = this.#session.receive(packet.packetId!);
      this.#send({ type: "pubrec", packetId: packet.packetId! });
      if (!first) {
        this.#duplicates++;
        return; // delivered already: exactly once (4.3.3)
      }
    }
    const message = { topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: packet.retain };
    for (const handler of this.#subscriptions.handlersFor(packet.topic)) this.#notify("subscription handler", () => handler(message));
    this.#notify("onMessage", () => this.#options.onMessage?.(message));
  }

  /** Sends SUBSCRIBE for filters the broker lacks and UNSUBSCRIBE for filters left. */
  #renewSubscriptions(sessionPresent: boolean): void {
    const leaving = this.#subscriptions.toUnsubscribe();
    if (leaving.length) {
      const packetId = this.#session.requestId();
      this.#subscriptions.unsubscribing(packetId, leaving);
      this.#send({ type: "unsubscribe", packetId, topicFilters: leaving });
    }
    const list = this.#subscriptions.toSubscribe(sessionPresent);
    if (list.length) {
      const packetId = this.#session.requestId();
      this.#subscriptions.subscribing(packetId, list);
      this.#send({ type: "subscribe", packetId, subscriptions: list });
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

  /** Sends what the session has ready while the window has room. */
  #pump(): void {
    if (this.#state !== "connected") return;
    for (let packet = this.#session.next(); packet; packet = this.#session.next()) this.#send(packet);
  }

  #send(packet: Packet): void {
    const transport = this.#transport;
    if (transport) transport.send(packet.type === "publish" ? this.#encodePublish(packet) : encode(packet));
    this.#lastSent = this.#timers.now();
  }

  /** PUBLISH on the hot path: the topic was checked by publish() (or is the birth's), its bytes kept. */
  #encodePublish(packet: PublishPacket): Uint8Array {
    let topic = this.#topics.get(packet.topic);
    if (!topic) {
      checkTopicName("topic", packet.topic);
      topic = encodeUTF8(packet.topic);
      if (this.#topics.size >= TOPIC_CACHE) this.#topics.clear();
      this.#topics.set(packet.topic, topic);
    }
    return encodeCheckedPublish(topic, packet.payload, packet.qos, packet.retain, packet.dup, packet.packetId);
  }

  /**
   * PINGREQ when nothing was sent, or nothing received, for a keepalive
   * period (3.1.2.10 requires the first; the second catches a broker that went
   * silent while we kept publishing). Any packet must then arrive within half
   * a period, so a half-open link is dropped at most 1.5 periods after the
   * broker was last heard from.
   */
  #scheduleKeepalive(): void {
    const keepaliveMs = this.#settings.keepaliveMs;
    if (!keepaliveMs || this.#state !== "connected") return;
    const due = Math.min(this.#lastSent, this.#lastReceived) + keepaliveMs - this.#timers.now();
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      if (this.#state !== "connected") return;
      const now = this.#timers.now();
      if (!this.#deadline && (now - this.#lastSent >= keepaliveMs || now - this.#lastReceived >= keepaliveMs)) {
        this.#send({ type: "pingreq" });
        this.#deadline = this.#timers.set(() => {
          this.#deadline = undefined;
          this.#lost(new TimeoutError("keepalive-timeout", `no answer from the broker within ${keepaliveMs * 1.5 / 1000} s; the link is half-open`));
        }, keepaliveMs / 2);
      }
      this.#scheduleKeepalive();
    }, Math.max(this.#deadline ? keepaliveMs / 2 : 0, due));
  }
}
