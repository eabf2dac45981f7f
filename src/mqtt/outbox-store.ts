/*
 * Persistence for the MQTT session: what must survive a reboot so that no
 * message accepted at QoS 1 or 2 is lost, and no QoS 2 message is delivered
 * twice.
 *
 * Contract (every implementation passes test/unit/mqtt/outbox-store.contract.ts):
 * - `load()` returns the messages added and not removed, in the order they
 *   were added, with their latest `update()`d state; keys keep increasing
 *   across loads, so a later `add()` sorts after everything loaded;
 * - `add()` either stores the message or throws an OutboxStoreError (full,
 *   or too large for this store) and stores nothing;
 * - `remove()` of an unknown key is ignored;
 * - `receivedIds()`/`setReceived()` keep the QoS 2 packet ids received and not
 *   yet released by PUBREL (4.3.3).
 */

import type { QoS } from "./packets";

/** A QoS 1 or 2 message accepted for delivery. */
export interface StoredMessage {
  /** Assigned by the store; increases with every add. */
  readonly key: number;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: Exclude<QoS, 0>;
  readonly retain: boolean;
  /** Set once the message has been sent; kept for resends (4.4). */
  packetId?: number;
  /** QoS 2: PUBREC arrived; only PUBREL and PUBCOMP remain. */
  released?: boolean;
}

export type NewMessage = Omit<StoredMessage, "key">;

export class OutboxStoreError extends Error {
  override readonly name = "OutboxStoreError";
  readonly reason: "full" | "too-large" | "storage";
  constructor(reason: "full" | "too-large" | "storage", message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface OutboxStore {
  load(): StoredMessage[];
  add(message: NewMessage): StoredMessage;
  /** Persists a changed packetId or released flag. */
  update(message: StoredMessage): void;
  remove(key: number): void;
  receivedIds(): number[];
  setReceived(packetId: number, present: boolean): void;
}

/** Keeps everything in RAM: survives reconnects, not reboots. The default. */
export class MemoryOutboxStore implements OutboxStore {
  readonly #messages = new Map<number, StoredMessage>();
  readonly #received = new Set<number>();
  #nextKey = 1;

  load(): StoredMessage[] {
    return [...this.#messages.values()];
  }

  add(message: NewMessage): StoredMessage {
    // One shape for every stored message, packetId and released included (V8 keeps it fast).
    const stored: StoredMessage = {
      key: this.#nextKey++, topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain,
      packetId: message.packetId, released: message.released,
    };
    this.#messages.set(stored.key, stored);
    return stored;
  }

  update(message: StoredMessage): void {
    if (this.#messages.has(message.key)) this.#messages.set(message.key, message);
  }

  remove(key: number): void {
    this.#messages.delete(key);
  }

  receivedIds(): number[] {
    return [...this.#received];
  }

  setReceived(packetId: number, present: boolean): void {
    if (present) this.#received.add(packetId);
    else this.#received.delete(packetId);
  }
}
