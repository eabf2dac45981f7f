/*
 * MQTT 3.1.1 decoder for one whole packet: the fixed header's first byte and
 * the body (the Remaining Length bytes after it). Pure and strict: anything
 * the standard forbids throws MalformedPacketError with a reason and clause.
 *
 * Uint8Array fields of the result (payload, password, will payload) are views
 * into `body`, not copies.
 */

import {
  ConnackCode, ConnectFlag, PacketCode, PacketName, PROTOCOL_NAME, PublishFlag, RequiredFlags, SUBACK_FAILURE,
} from "./constants";
import { MalformedPacketError, type MalformedReason } from "./errors";
import type { Packet, QoS, Subscription, Will } from "./packets";
import { topicFilterProblem, topicNameProblem } from "./topics";
import { decodeUTF8 } from "./utf8";

/** Reads fields from a packet body, failing with the packet's name on any overrun. */
class BodyReader {
  offset = 0;
  constructor(readonly body: Uint8Array, readonly type: string) {}

  fail(reason: MalformedReason, message: string): never {
    throw new MalformedPacketError(reason, message, this.type);
  }
  get remaining(): number {
    return this.body.length - this.offset;
  }
  uint8(field: string): number {
    if (this.offset >= this.body.length) this.fail("truncated", `body ends before ${field}`);
    return this.body[this.offset++];
  }
  uint16(field: string): number {
    if (this.offset + 2 > this.body.length) this.fail("truncated", `body ends inside ${field}`);
    const value = (this.body[this.offset] << 8) | this.body[this.offset + 1];
    this.offset += 2;
    return value;
  }
  packetId(): number {
    const id = this.uint16("packet identifier");
    if (id === 0) this.fail("packet-id", "packet identifier is 0 (2.3.1-1)");
    return id;
  }
  binary(field: string): Uint8Array {
    const length = this.uint16(`${field} length`);
    if (this.offset + length > this.body.length) this.fail("truncated", `${field} claims ${length} bytes, ${this.remaining} remain`);
    const bytes = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }
  string(field: string): string {
    const length = this.uint16(`${field} length`);
    if (this.offset + length > this.body.length) this.fail("truncated", `${field} claims ${length} bytes, ${this.remaining} remain`);
    const text = decodeUTF8(this.body, this.offset, this.offset + length);
    if (text === undefined) this.fail("utf8", `${field} is not well-formed UTF-8 or contains U+0000 (1.5.3)`);
    this.offset += length;
    return text;
  }
  end(): void {
    if (this.offset !== this.body.length) this.fail("trailing-bytes", `${this.remaining} unexpected bytes after the last field`);
  }
}

function decodeConnect(r: BodyReader): Packet {
  const name = r.string("protocol name");
  if (name !== PROTOCOL_NAME) r.fail("protocol", `protocol name is ${JSON.stringify(name)}, not "MQTT" (3.1.2-1)`);
  const protocolLevel = r.uint8("protocol level");
  const flags = r.uint8("connect flags");
  if (flags & ConnectFlag.reserved) r.fail("connect-flags", "reserved flag bit 0 is set (3.1.2-3)");
  const hasWill = (flags & ConnectFlag.will) !== 0;
  const willQoS = (flags & ConnectFlag.willQoSMask) >> ConnectFlag.willQoSShift;
  const willRetain = (flags & ConnectFlag.willRetain) !== 0;
  if (willQoS === 3) r.fail("connect-flags", "Will QoS is 3 (3.1.2-14)");
  if (!hasWill && (willQoS !== 0 || willRetain)) r.fail("connect-flags", "Will QoS or Will Retain set without a Will (3.1.2-13, 3.1.2-15)");
  const hasUsername = (flags & ConnectFlag.username) !== 0;
  const hasPassword = (flags & ConnectFlag.password) !== 0;
  if (hasPassword && !hasUsername) r.fail("connect-flags", "password flag set without the user name flag (3.1.2-22)");
  const keepalive = r.uint16("keep alive");
  const clientId = r.string("client identifier");
  let will: Will | undefined;
  if (hasWill) {
    const topic = r.string("Will topic");
    const problem = topicNameProblem(topic);
    if (problem) r.fail("topic", `Will topic ${JSON.stringify(topic)} is invalid: ${problem}`);
    will = { topic, payload: r.binary("Will message"), qos: willQoS as QoS, retain: willRetain };
  }
  const username = hasUsername ? r.string("user name") : undefined;
  const password = hasPassword ? r.binary("password") : undefined;
  r.end();
  const packet: Packet = { type: "connect", protocolLevel, clientId, cleanSession: (flags & ConnectFlag.cleanSession) !== 0, keepalive };
  if (will) packet.will = will;
  if (username !== undefined) packet.username = username;
  if (password !== undefined) packet.password = password;
  return packet;
}

function decodePublish(r: BodyReader, flags: number): Packet {
  const qos = (flags & PublishFlag.qosMask) >> PublishFlag.qosShift;
  if (qos === 3) r.fail("qos", "QoS bits are 3 (3.3.1-4)");
  const dup = (flags & PublishFlag.dup) !== 0;
  if (dup && qos === 0) r.fail("flags", "DUP set on a QoS 0 message (3.3.1-2)");
  const topic = r.string("topic name");
  const problem = topicNameProblem(topic);
  if (problem) r.fail("topic", `topic name ${JSON.stringify(topic)} is invalid: ${problem} (3.3.2-2, 4.7.3-1)`);
  const packet: Packet = { type: "publish", topic, payload: r.body, qos: qos as QoS, retain: (flags & PublishFlag.retain) !== 0, dup };
  if (qos > 0) packet.packetId = r.packetId();
  packet.payload = r.body.subarray(r.offset);
  return packet;
}

function decodeSubscribe(r: BodyReader): Packet {
  const packetId = r.packetId();
  const subscriptions: Subscription[] = [];
  while (r.remaining > 0) {
    const topicFilter = r.string("topic filter");
    const problem = topicFilterProblem(topicFilter);
    if (problem) r.fail("topic", `topic filter ${JSON.stringify(topicFilter)} is invalid: ${problem} (4.7.1)`);
    const qos = r.uint8("requested QoS");
    if (qos > 2) r.fail("qos", `requested QoS byte is 0x${qos.toString(16)}: reserved bits set or QoS 3 (3.8.3-4)`);
    subscriptions.push({ topicFilter, qos: qos as QoS });
  }
  if (subscriptions.length === 0) r.fail("empty-list", "no topic filters (3.8.3-3)");
  return { type: "subscribe", packetId, subscriptions };
}

function decodeSuback(r: BodyReader): Packet {
  const packetId = r.packetId();
  const returnCodes: number[] = [];
  while (r.remaining > 0) {
    const code = r.uint8("return code");
    if (code > 2 && code !== SUBACK_FAILURE) r.fail("return-code", `return code 0x${code.toString(16)} is not 0, 1, 2 or 0x80 (3.9.3-2)`);
    returnCodes.push(code);
  }
  if (returnCodes.length === 0) r.fail("empty-list", "no return codes (3.9.3)");
  return { type: "suback", packetId, returnCodes };
}

function decodeUnsubscribe(r: BodyReader): Packet {
  const packetId = r.packetId();
  const topicFilters: string[] = [];
  while (r.remaining > 0) {
    const filter = r.string("topic filter");
    const problem = topicFilterProblem(filter);
    if (problem) r.fail("topic", `topic filter ${JSON.stringify(filter)} is invalid: ${problem} (4.7.1)`);
    topicFilters.push(filter);
  }
  if (topicFilters.length === 0) r.fail("empty-list", "no topic filters (3.10.3-2)");
  return { type: "unsubscribe", packetId, topicFilters };
}

/** The packet name for fixed header byte 1, or a MalformedPacketError for reserved types and flags. */
export function checkFirstByte(first: number): string {
  const type = PacketName[first >> 4];
  if (!type) throw new MalformedPacketError("packet-type", `packet type ${first >> 4} is reserved (2.2.1)`);
  if (type !== "publish" && (first & 0x0f) !== RequiredFlags[type])
    throw new MalformedPacketError("flags", `fixed header flags are 0x${(first & 0x0f).toString(16)}, must be 0x${RequiredFlags[type].toString(16)} (2.2.2-2)`, type);
  return type;
}

/** Decodes one packet from fixed header byte 1 and its body. */
export function decodePacket(first: number, body: Uint8Array): Packet {
  const type = checkFirstByte(first);
  const r = new BodyReader(body, type);
  switch (first >> 4) {
    case PacketCode.publish:
      return decodePublish(r, first & 0x0f);

    case PacketCode.puback: case PacketCode.pubrec: case PacketCode.pubrel: case PacketCode.pubcomp: case PacketCode.unsuback: {
      const packetId = r.packetId();
      r.end();
      return { type: type as "puback" | "pubrec" | "pubrel" | "pubcomp" | "unsuback", packetId };
    }

    case PacketCode.pingreq: case PacketCode.pingresp: case PacketCode.disconnect:
      r.end();
      return { type: type as "pingreq" | "pingresp" | "disconnect" };

    case PacketCode.connack: {
      const ackFlags = r.uint8("acknowledge flags");
      const returnCode = r.uint8("return code");
      r.end();
      if (ackFlags & 0xfe) r.fail("connack-flags", `acknowledge flags 0x${ackFlags.toString(16)} set reserved bits (3.2.2.1)`);
      if (returnCode > ConnackCode.notAuthorized) r.fail("return-code", `return code ${returnCode} is reserved (3.2.2.3)`);
      if (returnCode !== 0 && ackFlags) r.fail("connack-flags", "session present set with a refused connection (3.2.2-4)");
      return { type: "connack", sessionPresent: ackFlags === 1, returnCode };
    }

    case PacketCode.connect:
      return decodeConnect(r);
    case PacketCode.subscribe:
      return decodeSubscribe(r);
    case PacketCode.suback:
      return decodeSuback(r);
    default: // PacketCode.unsubscribe: checkFirstByte refused every other value
      return decodeUnsubscribe(r);
  }
}
