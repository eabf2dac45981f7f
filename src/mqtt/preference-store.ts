/*
 * OutboxStore on Moddable's `preference` module: on ESP32 that is the
 * ESP-IDF's NVS (values up to 4000 bytes, keys up to 15 characters, wear
 * levelled); in the simulators a folder. One entry per message, so accepting
 * and delivering a message costs one write and one erase, not a rewrite of
 * the whole outbox.
 *
 * The Preference object is passed in (`import Preference from "preference"`
 * in the composition root), so tests can give any implementation.
 *
 * Record layout (one ArrayBuffer per message, key "m<key>"):
 *   u8 flags (bit 0-1 QoS, bit 2 retain, bit 3 released, bit 4 has packet id)
 *   u16 packet id | u16 topic length | topic UTF-8 | payload
 * QoS 2 ids awaiting PUBREL: key "r", u16 list.
 */

import { type NewMessage, type OutboxStore, OutboxStoreError, type StoredMessage } from "./outbox-store";
import type { QoS } from "./packets";
import { decodeUTF8, utf8Length, writeUTF8 } from "./utf8";

export interface PreferenceLike {
  set(domain: string, key: string, value: ArrayBuffer): void;
  get(domain: string, key: string): unknown;
  delete(domain: string, key: string): void;
  keys(domain: string): string[];
}

export interface PreferenceStoreOptions {
  preference: PreferenceLike;
  /** At most 15 characters (NVS namespace limit). */
  domain?: string;
  /** Largest record the storage takes: 4000 bytes on ESP32's NVS. */
  maxRecordBytes?: number;
  /** Most messages kept; past it `add` throws "full". */
  maxMessages?: number;
}

const HEADER = 5;

function encodeRecord(message: NewMessage): Uint8Array {
  const topicBytes = utf8Length(message.topic);
  const out = new Uint8Array(HEADER + topicBytes + message.payload.length);
  out[0] = message.qos | (message.retain ? 4 : 0) | (message.released ? 8 : 0) | (message.packetId ? 16 : 0);
  out[1] = (message.packetId ?? 0) >> 8;
  out[2] = (message.packetId ?? 0) & 0xff;
  out[3] = topicBytes >> 8;
  out[4] = topicBytes & 0xff;
  writeUTF8(out, HEADER, message.topic);
  out.set(message.payload, HEADER + topicBytes);
  return out;
}

function decodeRecord(key: number, value: unknown): StoredMessage | undefined {
  if (!(value instanceof ArrayBuffer) || value.byteLength < HEADER) return undefined;
  const bytes = new Uint8Array(value);
  const flags = bytes[0];
  const qos = flags & 3;
  const topicBytes = (bytes[3] << 8) | bytes[4];
  if ((qos !== 1 && qos !== 2) || HEADER + topicBytes > bytes.length) return undefined;
  const topic = decodeUTF8(bytes, HEADER, HEADER + topicBytes);
  if (topic === undefined) return undefined;
  const message: StoredMessage = {
    key, topic, qos: qos as Exclude<QoS, 0>, retain: (flags & 4) !== 0,
    payload: bytes.slice(HEADER + topicBytes),
  };
  if (flags & 16) message.packetId = (bytes[1] << 8) | bytes[2];
  if (flags & 8) message.released = true;
  return message;
}

export class PreferenceOutboxStore implements OutboxStore {
  readonly #preference: PreferenceLike;
  readonly #domain: string;
  readonly #maxRecordBytes: number;
  readonly #maxMessages: number;
  #keys: number[] | undefined;
  #nextKey = 1;

  constructor(options: PreferenceStoreOptions) {
    if (typeof options?.preference?.set !== "function") throw new TypeError("preference must be Moddable's Preference (get, set, delete, keys)");
    this.#preference = options.preference;
    this.#domain = options.domain ?? "mqtt-outbox";
    if (this.#domain.length < 1 || this.#domain.length > 15) throw new RangeError(`domain must be 1 to 15 characters, not ${JSON.stringify(this.#domain)}`);
    this.#maxRecordBytes = options.maxRecordBytes ?? 4000;
    this.#maxMessages = options.maxMessages ?? 1000;
  }

  load(): StoredMessage[] {
    const messages: StoredMessage[] = [];
    const keys = this.#preference.keys(this.#domain)
      .filter((name) => /^m\d+$/.test(name))
      .map((name) => Number(name.slice(1)))
      .sort((a, b) => a - b);
    for (const key of keys) {
      const message = decodeRecord(key, this.#preference.get(this.#domain, `m${key}`));
      // A record cut short by power loss during its write is not a message: drop it.
      if (message) messages.push(message);
      else this.#preference.delete(this.#domain, `m${key}`);
    }
    this.#keys = messages.map((message) => message.key);
    this.#nextKey = (keys.at(-1) ?? 0) + 1;
    return messages;
  }

  add(message: NewMessage): StoredMessage {
    const keys = this.#known();
    if (keys.length >= this.#maxMessages) throw new OutboxStoreError("full", `persistent outbox holds ${keys.length} messages, its limit`);
    const record = encodeRecord(message);
    if (record.length > this.#maxRecordBytes)
      throw new OutboxStoreError("too-large", `message needs ${record.length} bytes of storage; at most ${this.#maxRecordBytes} fit in one record`);
    const stored: StoredMessage = { ...message, key: this.#nextKey++ };
    this.#write(stored.key, record);
    keys.push(stored.key);
    return stored;
  }

  update(message: StoredMessage): void {
    if (this.#known().includes(message.key)) this.#write(message.key, encodeRecord(message));
  }

  remove(key: number): void {
    const keys = this.#known();
    const at = keys.indexOf(key);
    if (at < 0) return;
    keys.splice(at, 1);
    this.#preference.delete(this.#domain, `m${key}`);
  }

  receivedIds(): number[] {
    const value = this.#preference.get(this.#domain, "r");
    if (!(value instanceof ArrayBuffer)) return [];
    const bytes = new Uint8Array(value);
    const ids: number[] = [];
    for (let i = 0; i + 1 < bytes.length; i += 2) ids.push((bytes[i] << 8) | bytes[i + 1]);
    return ids;
  }

  setReceived(packetId: number, present: boolean): void {
    const ids = this.receivedIds().filter((id) => id !== packetId);
    if (present) ids.push(packetId);
    if (ids.length === 0) {
      this.#preference.delete(this.#domain, "r");
      return;
    }
    const bytes = new Uint8Array(ids.length * 2);
    ids.forEach((id, i) => { bytes[2 * i] = id >> 8; bytes[2 * i + 1] = id & 0xff; });
    this.#preference.set(this.#domain, "r", bytes.buffer);
  }

  #known(): number[] {
    if (!this.#keys) this.load();
    return this.#keys!;
  }

  #write(key: number, record: Uint8Array): void {
    try {
      this.#preference.set(this.#domain, `m${key}`, record.buffer as ArrayBuffer);
    }
    catch (error) {
      throw new OutboxStoreError("storage", `storage refused the message: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}
