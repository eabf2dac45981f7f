/*
 * Session state (MQTT 3.1.1 section 4.4, 4.3): packet identifiers, the
 * outgoing QoS 1 and 2 messages from acceptance to their last acknowledgement,
 * and the incoming QoS 2 identifiers awaiting PUBREL. No sockets, no timers:
 * the client feeds it acknowledgements and asks it what to send.
 *
 * Outgoing messages wait in acceptance order; `next()` moves them into flight
 * while the window has room. After a lost link, `linkLost()` puts the ones in
 * flight back at the front, in the order they were sent, to be resent with
 * DUP set and their original ids (or, for QoS 2 after PUBREC, as PUBREL).
 *
 * The outbox is bounded in messages and bytes. When it is full, `overflow`
 * decides: "reject" refuses the new message (OutboxFullError), "drop-oldest"
 * drops the oldest message not yet sent (its promise rejects with
 * MessageDroppedError). Both are counted. A message too large for one of
 * the store's records is kept in RAM only, and counted as unpersisted.
 */

import { MessageDroppedError, OutboxFullError } from "./errors";
import { type NewMessage, type OutboxStore, OutboxStoreError, type StoredMessage } from "./outbox-store";
import type { PublishPacket, PubrelPacket, QoS } from "./packets";

export type OverflowPolicy = "reject" | "drop-oldest";

export interface SessionLimits {
  /** QoS 1/2 messages in flight at once. */
  window: number;
  /** Messages held (waiting and in flight). */
  messages: number;
  /** Topic and payload bytes held. */
  bytes: number;
  overflow: OverflowPolicy;
}

export interface SessionCounters {
  /** Messages refused because the outbox was full. */
  rejected: number;
  /** Messages dropped by the "drop-oldest" policy. */
  dropped: number;
  /** Messages sent again after a lost link. */
  resent: number;
  /** Messages found in the store at start (accepted before a reboot). */
  restored: number;
  /** Messages too large for the store's records, kept in RAM only (lost on reboot, not on reconnect). */
  unpersisted: number;
}

interface Outgoing {
  message: StoredMessage;
  /** Not persisted, not counted (the birth message). */
  transient: boolean;
  /** Sent at least once: a resend carries DUP. */
  sent: boolean;
  resolve?: () => void;
  reject?: (error: Error) => void;
}

function size(message: NewMessage): number {
  return message.topic.length + message.payload.length;
}

export class Session {
  readonly counters: SessionCounters = { rejected: 0, dropped: 0, resent: 0, restored: 0, unpersisted: 0 };
  readonly #store: OutboxStore;
  readonly #limits: SessionLimits;
  #waiting: Outgoing[] = [];
  readonly #inflight = new Map<number, Outgoing>();
  /** Packet ids of SUBSCRIBE/UNSUBSCRIBE awaiting their ack. */
  readonly #requests = new Set<number>();
  readonly #received: Set<number>;
  #nextId = 1;
  #bytes = 0;
  #count = 0;
  #transientKey = -1;

  constructor(store: OutboxStore, limits: SessionLimits) {
    this.#store = store;
    this.#limits = limits;
    for (const message of store.load()) {
      this.#waiting.push({ message, transient: false, sent: message.packetId !== undefined });
      this.#bytes += size(message);
      this.#count++;
    }
    this.counters.restored = this.#count;
    this.#received = new Set(store.receivedIds());
  }

  /** Messages accepted and not yet fully acknowledged (transient ones excluded). */
  get pending(): number {
    return this.#count;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /**
   * Accepts a QoS 1/2 message. Returns a promise settled when the broker
   * has acknowledged it (PUBACK, or PUBCOMP), or rejected if it is dropped
   * or the client closes. Throws OutboxFullError (or the store's error)
   * when it cannot be held.
   */
  accept(message: NewMessage): Promise<void> {
    const bytes = size(message);
    while (this.#count >= this.#limits.messages || this.#bytes + bytes > this.#limits.bytes) {
      if (this.#limits.overflow !== "drop-oldest" || !this.#dropOldest()) {
        this.counters.rejected++;
        throw new OutboxFullError(`outbox full: ${this.#count} messages, ${this.#bytes} bytes await delivery (limits ${this.#limits.messages} messages, ${this.#limits.bytes} bytes)`);
      }
    }
    let stored: StoredMessage;
    try {
      stored = this.#store.add(message);
    }
    catch (error) {
      // Too big for one record (Pico W's preferences hold 63 bytes): keep it in RAM, under a key the store never gave.
      if (!(error instanceof OutboxStoreError && error.reason === "too-large")) throw error;
      stored = { ...message, key: this.#transientKey-- };
      this.counters.unpersisted++;
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ message: stored, transient: false, sent: false, resolve, reject });
      this.#bytes += bytes;
      this.#count++;
    });
  }

  /** Queues a message ahead of all others, kept in RAM only (the birth message). */
  announce(message: NewMessage): void {
    this.#waiting.unshift({ message: { ...message, key: this.#transientKey-- }, transient: true, sent: false });
  }

  /** The next PUBLISH or PUBREL to send, if the window has room. */
  next(): PublishPacket | PubrelPacket | undefined {
    if (this.#inflight.size >= this.#limits.window || this.#waiting.length === 0) return undefined;
    const item = this.#waiting.shift()!;
    const message = item.message;
    if (message.packetId === undefined) {
      message.packetId = this.allocateId();
      if (!item.transient) this.#store.update(message);
    }
    else if (item.sent) this.counters.resent++;
    this.#inflight.set(message.packetId, item);
    if (message.released) return { type: "pubrel", packetId: message.packetId };
    const dup = item.sent;
    item.sent = true;
    return { type: "publish", topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain, dup, packetId: message.packetId };
  }

  /** PUBACK: a QoS 1 message is delivered. Returns false for an id not awaiting PUBACK. */
  puback(packetId: number): boolean {
    const item = this.#inflight.get(packetId);
    if (!item || item.message.qos !== 1) return false;
    this.#finish(packetId, item);
    return true;
  }

  /** PUBREC: returns the PUBREL to send, or undefined for an unknown id. */
  pubrec(packetId: number): PubrelPacket | undefined {
    const item = this.#inflight.get(packetId);
    if (!item || item.message.qos !== 2) return undefined;
    if (!item.message.released) {
      item.message.released = true;
      if (!item.transient) this.#store.update(item.message);
    }
    return { type: "pubrel", packetId };
  }

  /** PUBCOMP: a QoS 2 message is delivered. */
  pubcomp(packetId: number): boolean {
    const item = this.#inflight.get(packetId);
    if (!item || item.message.qos !== 2 || !item.message.released) return false;
    this.#finish(packetId, item);
    return true;
  }

  /** Incoming QoS 2 PUBLISH: true the first time (deliver it), false for a duplicate (4.3.3, method A). */
  receive(packetId: number): boolean {
    if (this.#received.has(packetId)) return false;
    this.#received.add(packetId);
    this.#store.setReceived(packetId, true);
    return true;
  }

  /** Incoming PUBREL: the id may be reused by the broker. */
  release(packetId: number): void {
    if (this.#received.delete(packetId)) this.#store.setReceived(packetId, false);
  }

  /** The broker kept no session (CONNACK session present 0): its ids for QoS 2 messages to us start afresh. */
  brokerSessionLost(): void {
    for (const id of this.#received) this.#store.setReceived(id, false);
    this.#received.clear();
  }

  /** A packet id free for a new PUBLISH, SUBSCRIBE or UNSUBSCRIBE (2.3.1-2): not in flight, not kept by a waiting resend. */
  allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 65535 ? 1 : id + 1;
      if (!this.#inflight.has(id) && !this.#requests.has(id) && !this.#waitingHas(id)) return id;
    }
  }

  /** A waiting message (a resend) already holds packet id `id`. */
  #waitingHas(id: number): boolean {
    const waiting = this.#waiting;
    for (let i = 0; i < waiting.length; i++) if (waiting[i].message.packetId === id) return true;
    return false;
  }

  /** Reserves an id for a SUBSCRIBE/UNSUBSCRIBE until `releaseRequest`. */
  requestId(): number {
    const id = this.allocateId();
    this.#requests.add(id);
    return id;
  }

  releaseRequest(packetId: number): void {
    this.#requests.delete(packetId);
  }

  /** The link is gone: messages in flight go back to the front, in the order they were sent; transient ones are dropped. */
  linkLost(): void {
    const resend = [...this.#inflight.values()].filter((item) => !item.transient);
    this.#inflight.clear();
    this.#requests.clear();
    this.#waiting = resend.concat(this.#waiting.filter((item) => !item.transient));
  }

  /** Rejects every promise (the client is closing). Messages stay in the store for the next start. */
  abandon(error: Error): void {
    const items = [...this.#inflight.values(), ...this.#waiting];
    this.#inflight.clear();
    this.#waiting = [];
    this.#count = this.#bytes = 0;
    for (const item of items) item.reject?.(error);
  }

  #finish(packetId: number, item: Outgoing): void {
    this.#inflight.delete(packetId);
    if (!item.transient) {
      this.#store.remove(item.message.key);
      this.#count--;
      this.#bytes -= size(item.message);
    }
    item.resolve?.();
  }

  #dropOldest(): boolean {
    const at = this.#waiting.findIndex((item) => !item.transient && !item.sent);
    if (at < 0) return false;
    const [item] = this.#waiting.splice(at, 1);
    this.#store.remove(item.message.key);
    this.#count--;
    this.#bytes -= size(item.message);
    this.counters.dropped++;
    item.reject?.(new MessageDroppedError(`dropped to make room: the outbox was full (policy "drop-oldest")`));
    return true;
  }
}

export type { QoS };
