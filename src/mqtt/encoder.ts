/*
 * MQTT 3.1.1 encoder: a packet in, one Uint8Array of exactly its size out.
 *
 * Pure: no sockets, timers or state. Every field is checked before a byte is
 * written; a bad field throws TypeError or RangeError naming it, so a caller's
 * mistake never reaches the wire.
 */

import {
  ConnectFlag, MAX_REMAINING_LENGTH, MAX_STRING_BYTES, PacketCode, PROTOCOL_NAME, PublishFlag,
  RequiredFlags, SUBACK_FAILURE,
} from "./constants";
import type { Packet, PublishPacket, QoS } from "./packets";
import { checkTopicFilter, checkTopicName } from "./topics";
import { utf8Length, writeUTF8 } from "./utf8";

function checkQoS(field: string, qos: unknown): QoS {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new RangeError(`${field} must be 0, 1 or 2, not ${String(qos)}`);
  return qos;
}

function checkPacketId(field: string, id: unknown): number {
  if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > 65535)
    throw new RangeError(`${field} must be an integer from 1 to 65535 (2.3.1), not ${String(id)}`);
  return id;
}

function checkBytes(field: string, bytes: unknown, max: number): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  if (bytes.length > max) throw new RangeError(`${field} is ${bytes.length} bytes; at most ${max} fit`);
  return bytes;
}

/** UTF-8 length of a string field, checked: at most 65,535 bytes, no U+0000. */
function stringBytes(field: string, text: unknown): number {
  if (typeof text !== "string") throw new TypeError(`${field} must be a string, not ${typeof text}`);
  const length = utf8Length(text);
  if (length < 0) throw new TypeError(`${field} holds a lone surrogate and has no UTF-8 form`);
  if (length > MAX_STRING_BYTES) throw new RangeError(`${field} is ${length} bytes of UTF-8; at most 65,535 fit`);
  if (text.indexOf("\u0000") >= 0) throw new TypeError(`${field} must not contain U+0000 (1.5.3-2)`);
  return length;
}

function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${field} must be true or false`);
  return value;
}

/** Bytes the Remaining Length field takes for `length` (2.2.3). */
function lengthBytes(length: number): number {
  return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
}

/** Packets up to this size are cut from a shared block of BLOCK bytes. */
const POOLED = 128;
const BLOCK = 512;

/**
 * The block small packets are cut from, made when first needed (never while
 * preloading: a preloaded buffer lives in flash, where it cannot be written)
 * and replaced when full. A packet is a view of it, as Node's Buffer pool
 * hands them out: on V8 a typed array over 64 bytes costs about 600 ns to
 * allocate on its own and a view about 50 ns; on XS a view saves a chunk.
 * A block lives while the block or any packet cut from it does: at most
 * BLOCK bytes besides the packets still queued.
 */
let block: ArrayBuffer | undefined;
let blockUsed = 0;

function packetBytes(size: number): Uint8Array {
  if (size > POOLED) return new Uint8Array(size);
  if (!block || blockUsed + size > BLOCK) {
    block = new ArrayBuffer(BLOCK);
    blockUsed = 0;
  }
  const out = new Uint8Array(block, blockUsed, size);
  blockUsed += size;
  return out;
}

/**
 * Allocates the packet and writes its fixed header; returns the buffer. The
 * variable header starts at `1 + lengthBytes(remaining)`. (Remaining Length
 * fits 28 bits, so shifts serve: 2.2.3.)
 */
function allocate(first: number, remaining: number, what: string): Uint8Array {
  if (remaining > MAX_REMAINING_LENGTH)
    throw new RangeError(`${what} would be ${remaining} bytes; MQTT allows at most ${MAX_REMAINING_LENGTH} (2.2.3)`);
  const out = packetBytes(1 + lengthBytes(remaining) + remaining);
  out[0] = first;
  let offset = 1;
  let value = remaining;
  for (;;) {
    const byte = value & 0x7f;
    value >>>= 7;
    if (value === 0) {
      out[offset] = byte;
      return out;
    }
    out[offset++] = byte | 0x80;
  }
}

/** `allocate`, with the offset after the fixed header, for encoders that write several fields. */
function start(first: number, remaining: number, what: string): [Uint8Array, number] {
  return [allocate(first, remaining, what), 1 + lengthBytes(remaining)];
}

function writeUint16(out: Uint8Array, offset: number, value: number): number {
  out[offset] = value >> 8;
  out[offset + 1] = value & 0xff;
  return offset + 2;
}

function writeString(out: Uint8Array, offset: number, text: string, bytes: number): number {
  offset = writeUint16(out, offset, bytes);
  return writeUTF8(out, offset, text);
}

function writeBinary(out: Uint8Array, offset: number, bytes: Uint8Array): number {
  offset = writeUint16(out, offset, bytes.length);
  out.set(bytes, offset);
  return offset + bytes.length;
}

/** Fixed header byte 1 of a PUBLISH (3.3.1). */
export function publishFirstByte(qos: QoS, retain: boolean, dup: boolean): number {
  return (PacketCode.publish << 4) | (dup ? PublishFlag.dup : 0) | (qos << PublishFlag.qosShift) | (retain ? PublishFlag.retain : 0);
}

function encodePublish(packet: PublishPacket): Uint8Array {
  const topic = checkTopicName("publish.topic", packet.topic);
  const qos = checkQoS("publish.qos", packet.qos);
  const retain = checkBoolean("publish.retain", packet.retain);
  const dup = checkBoolean("publish.dup", packet.dup);
  if (qos === 0 && dup) throw new TypeError("publish.dup must be false at QoS 0 (3.3.1-2)");
  const payload = checkBytes("publish.payload", packet.payload, MAX_REMAINING_LENGTH);
  let packetId = 0;
  if (qos > 0) packetId = checkPacketId("publish.packetId", packet.packetId);
  else if (packet.packetId !== undefined) throw new TypeError("publish.packetId must be absent at QoS 0 (2.3.1-5)");
  const topicBytes = utf8Length(topic);
  const [out, at] = start(publishFirstByte(qos, retain, dup), 2 + topicBytes + (qos ? 2 : 0) + payload.length, "publish");
  let offset = writeString(out, at, topic, topicBytes);
  if (qos) offset = writeUint16(out, offset, packetId);
  out.set(payload, offset);
  return out;
}

/**
 * A PUBLISH from parts the caller has already checked: `topic` as its
 * encoded bytes (valid topic name), qos, flags and id consistent. For the
 * client's hot path, which validates at `publish()` and keeps each topic's
 * bytes; everything else should call `encode`.
 */
export function encodeCheckedPublish(topic: Uint8Array, payload: Uint8Array, qos: QoS, retain: boolean, dup: boolean, packetId: number | undefined): Uint8Array {
  const remaining = 2 + topic.length + (qos ? 2 : 0) + payload.length;
  const out = allocate(publishFirstByte(qos, retain, dup), remaining, "publish");
  let offset = writeUint16(out, 1 + lengthBytes(remaining), topic.length);
  out.set(topic, offset);
  offset += topic.length;
  if (qos) offset = writeUint16(out, offset, packetId!);
  out.set(payload, offset);
  return out;
}

/**
 * Encodes one packet. Throws TypeError/RangeError naming the offending field
 * (e.g. "publish.qos must be 0, 1 or 2, not 3").
 */
export function encode(packet: Packet): Uint8Array {
  switch (packet.type) {
    case "publish":
      return encodePublish(packet);

    case "puback": case "pubrec": case "pubrel": case "pubcomp": case "unsuback": {
      const id = checkPacketId(`${packet.type}.packetId`, packet.packetId);
      const [out, at] = start((PacketCode[packet.type] << 4) | RequiredFlags[packet.type], 2, packet.type);
      writeUint16(out, at, id);
      return out;
    }

    case "pingreq": case "pingresp": case "disconnect":
      return start(PacketCode[packet.type] << 4, 0, packet.type)[0];

    case "connect": {
      const level = packet.protocolLevel;
      if (!Number.isInteger(level) || level < 0 || level > 255) throw new RangeError(`connect.protocolLevel must be a byte, not ${String(level)}`);
      const clientIdBytes = stringBytes("connect.clientId", packet.clientId);
      const cleanSession = checkBoolean("connect.cleanSession", packet.cleanSession);
      // 3.1.3-7: a server may refuse an empty client id without a clean session; that is its call, not ours.
      const keepalive = packet.keepalive;
      if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535)
        throw new RangeError(`connect.keepalive must be 0 to 65535 seconds, not ${String(keepalive)}`);
      let flags = cleanSession ? ConnectFlag.cleanSession : 0;
      let length = 2 + 4 + 1 + 1 + 2 + 2 + clientIdBytes;
      const will = packet.will;
      let willTopicBytes = 0;
      if (will) {
        checkTopicName("connect.will.topic", will.topic);
        willTopicBytes = utf8Length(will.topic);
        const qos = checkQoS("connect.will.qos", will.qos);
        checkBytes("connect.will.payload", will.payload, MAX_STRING_BYTES);
        flags |= ConnectFlag.will | (qos << ConnectFlag.willQoSShift) | (checkBoolean("connect.will.retain", will.retain) ? ConnectFlag.willRetain : 0);
        length += 2 + willTopicBytes + 2 + will.payload.length;
      }
      let usernameBytes = 0;
      if (packet.username !== undefined) {
        usernameBytes = stringBytes("connect.username", packet.username);
        flags |= ConnectFlag.username;
        length += 2 + usernameBytes;
      }
      if (packet.password !== undefined) {
        // 3.1.2-22: no password without a user name. The value itself is never shown.
        if (packet.username === undefined) throw new TypeError("connect.password needs connect.username (3.1.2-22)");
        checkBytes("connect.password", packet.password, MAX_STRING_BYTES);
        flags |= ConnectFlag.password;
        length += 2 + packet.password.length;
      }
      const [out, at] = start(PacketCode.connect << 4, length, "connect");
      let offset = writeString(out, at, PROTOCOL_NAME, 4);
      out[offset++] = level;
      out[offset++] = flags;
      offset = writeUint16(out, offset, keepalive);
      offset = writeString(out, offset, packet.clientId, clientIdBytes);
      if (will) {
        offset = writeString(out, offset, will.topic, willTopicBytes);
        offset = writeBinary(out, offset, will.payload);
      }
      if (packet.username !== undefined) offset = writeString(out, offset, packet.username, usernameBytes);
      if (packet.password !== undefined) writeBinary(out, offset, packet.password);
      return out;
    }

    case "connack": {
      const code = packet.returnCode;
      if (!Number.isInteger(code) || code < 0 || code > 5) throw new RangeError(`connack.returnCode must be 0 to 5 (3.2.2.3), not ${String(code)}`);
      const sessionPresent = checkBoolean("connack.sessionPresent", packet.sessionPresent);
      if (sessionPresent && code !== 0) throw new TypeError("connack.sessionPresent must be false when the connection is refused (3.2.2-4)");
      const [out, at] = start(PacketCode.connack << 4, 2, "connack");
      out[at] = sessionPresent ? 1 : 0;
      out[at + 1] = code;
      return out;
    }

    case "subscribe": {
      const id = checkPacketId("subscribe.packetId", packet.packetId);
      const list = packet.subscriptions;
      if (!Array.isArray(list) || list.length === 0) throw new TypeError("subscribe.subscriptions must list at least one topic filter (3.8.3-3)");
      const sizes: number[] = [];
      let length = 2;
      for (let i = 0; i < list.length; i++) {
        checkTopicFilter(`subscribe.subscriptions[${i}].topicFilter`, list[i].topicFilter);
        checkQoS(`subscribe.subscriptions[${i}].qos`, list[i].qos);
        const bytes = utf8Length(list[i].topicFilter);
        sizes.push(bytes);
        length += 2 + bytes + 1;
      }
      const [out, at] = start((PacketCode.subscribe << 4) | RequiredFlags.subscribe, length, "subscribe");
      let offset = writeUint16(out, at, id);
      for (let i = 0; i < list.length; i++) {
        offset = writeString(out, offset, list[i].topicFilter, sizes[i]);
        out[offset++] = list[i].qos;
      }
      return out;
    }

    case "suback": {
      const id = checkPacketId("suback.packetId", packet.packetId);
      const codes = packet.returnCodes;
      if (!Array.isArray(codes) || codes.length === 0) throw new TypeError("suback.returnCodes must hold at least one code");
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i];
        if (c !== 0 && c !== 1 && c !== 2 && c !== SUBACK_FAILURE) throw new RangeError(`suback.returnCodes[${i}] must be 0, 1, 2 or 0x80 (3.9.3-2), not ${String(c)}`);
      }
      const [out, at] = start(PacketCode.suback << 4, 2 + codes.length, "suback");
      const offset = writeUint16(out, at, id);
      for (let i = 0; i < codes.length; i++) out[offset + i] = codes[i];
      return out;
    }

    case "unsubscribe": {
      const id = checkPacketId("unsubscribe.packetId", packet.packetId);
      const filters = packet.topicFilters;
      if (!Array.isArray(filters) || filters.length === 0) throw new TypeError("unsubscribe.topicFilters must list at least one topic filter (3.10.3-2)");
      const sizes: number[] = [];
      let length = 2;
      for (let i = 0; i < filters.length; i++) {
        checkTopicFilter(`unsubscribe.topicFilters[${i}]`, filters[i]);
        const bytes = utf8Length(filters[i]);
        sizes.push(bytes);
        length += 2 + bytes;
      }
      const [out, at] = start((PacketCode.unsubscribe << 4) | RequiredFlags.unsubscribe, length, "unsubscribe");
      let offset = writeUint16(out, at, id);
      for (let i = 0; i < filters.length; i++) offset = writeString(out, offset, filters[i], sizes[i]);
      return out;
    }

    default:
      throw new TypeError(`packet.type ${JSON.stringify((packet as { type: unknown }).type)} is not an MQTT 3.1.1 packet type`);
  }
}
