/*
 * MQTT 3.1.1 wire constants (OASIS standard, 29 October 2014).
 * Section numbers in comments refer to that document.
 */

/** Control packet type, the high nibble of byte 1 of the fixed header (2.2.1). */
export const PacketCode = Object.freeze({
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const);

export type PacketType = keyof typeof PacketCode;

/** Packet names by code; index 0 and 15 are reserved (2.2.1, Table 2.1). */
export const PacketName: readonly (PacketType | undefined)[] = Object.freeze([
  undefined, "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp",
  "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect", undefined,
]);

/**
 * Fixed header flags (low nibble of byte 1) every packet but PUBLISH must carry
 * exactly (2.2.2, Table 2.2). PUBREL, SUBSCRIBE and UNSUBSCRIBE use 0b0010.
 */
export const RequiredFlags: Readonly<Record<Exclude<PacketType, "publish">, number>> = Object.freeze({
  connect: 0, connack: 0, puback: 0, pubrec: 0, pubrel: 2, pubcomp: 0,
  subscribe: 2, suback: 0, unsubscribe: 2, unsuback: 0, pingreq: 0, pingresp: 0, disconnect: 0,
});

/** PUBLISH fixed header flag bits (3.3.1). */
export const PublishFlag = Object.freeze({
  retain: 0x01,
  qosMask: 0x06,
  qosShift: 1,
  dup: 0x08,
} as const);

/** CONNECT flags byte (3.1.2.3). */
export const ConnectFlag = Object.freeze({
  reserved: 0x01,
  cleanSession: 0x02,
  will: 0x04,
  willQoSMask: 0x18,
  willQoSShift: 3,
  willRetain: 0x20,
  password: 0x40,
  username: 0x80,
} as const);

/** Protocol name and level for MQTT 3.1.1 (3.1.2.1, 3.1.2.2). */
export const PROTOCOL_NAME = "MQTT";
export const PROTOCOL_LEVEL_311 = 4;

/** Remaining Length: at most four bytes, at most 268,435,455 (2.2.3). */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** Strings and binary fields carry a two-byte length (1.5.3). */
export const MAX_STRING_BYTES = 65_535;

/** CONNACK return codes (3.2.2.3, Table 3.1). */
export const ConnackCode = Object.freeze({
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const);

/** SUBACK return code for a refused subscription (3.9.3). */
export const SUBACK_FAILURE = 0x80;
