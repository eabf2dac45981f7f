/*
 * CONNECT and CONNACK (MQTT 3.1.1 sections 3.1 and 3.2): exact-byte vectors,
 * every decoder rejection rule and every encoder validation for them.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { encode } from "../../../src/mqtt/encoder";
import type { ConnectPacket } from "../../../src/mqtt/packets";
import {
  bad, bin, decodeFrame, encoderErrorTests, rejectionTests, remainingLength, vectorTests, wrongFlagTests,
  type EncoderCase, type Rejection, type Vector,
} from "./support";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("CONNECT vectors (3.1)", () => {
  const rows: Vector[] = [
    {
      name: "minimal connect",
      packet: { type: "connect", protocolLevel: 4, clientId: "test", cleanSession: false, keepalive: 30 },
      bytes: [
        16, 16, // fixed header: CONNECT, flags 0; remaining length 16
        0, 4, // protocol name length
        77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level 4 (3.1.1)
        0, // connect flags: none
        0, 30, // keep alive 30 s
        0, 4, // client id length
        116, 101, 115, 116, // client id "test"
      ],
    },
    {
      name: "empty client id with clean session, keep alive off (3.1.3-6)",
      packet: { type: "connect", protocolLevel: 4, clientId: "", cleanSession: true, keepalive: 0 },
      bytes: [
        16, 12, // fixed header; remaining length 12
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        2, // connect flags: clean session
        0, 0, // keep alive 0 (off)
        0, 0, // client id length 0
      ],
    },
    {
      name: "maximal connect",
      packet: {
        type: "connect", protocolLevel: 4, clientId: "test", cleanSession: true, keepalive: 30,
        will: { topic: "topic", payload: text("payload"), qos: 2, retain: true },
        username: "username", password: text("password"),
      },
      bytes: [
        16, 52, // fixed header; remaining length 52
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        246, // connect flags: user name 0x80, password 0x40, will retain 0x20, will QoS 2 (0x10), will 0x04, clean 0x02
        0, 30, // keep alive
        0, 4, 116, 101, 115, 116, // client id "test"
        0, 5, 116, 111, 112, 105, 99, // will topic "topic"
        0, 7, 112, 97, 121, 108, 111, 97, 100, // will message "payload"
        0, 8, 117, 115, 101, 114, 110, 97, 109, 101, // user name "username"
        0, 8, 112, 97, 115, 115, 119, 111, 114, 100, // password "password"
      ],
    },
    {
      name: "will QoS 1 without retain, empty will message",
      packet: {
        type: "connect", protocolLevel: 4, clientId: "c", cleanSession: true, keepalive: 60,
        will: { topic: "w", payload: bin(), qos: 1, retain: false },
      },
      bytes: [
        16, 18, // fixed header; remaining length 18
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        14, // connect flags: will QoS 1 (0x08), will 0x04, clean 0x02
        0, 60, // keep alive 60
        0, 1, 99, // client id "c"
        0, 1, 119, // will topic "w"
        0, 0, // will message length 0
      ],
    },
    {
      name: "will QoS 0 retained, binary will message with 0x00 and 0xFF",
      packet: {
        type: "connect", protocolLevel: 4, clientId: "c", cleanSession: false, keepalive: 1,
        will: { topic: "a/b", payload: bin(0, 255), qos: 0, retain: true },
      },
      bytes: [
        16, 22, // fixed header; remaining length 22
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        36, // connect flags: will retain 0x20, will 0x04
        0, 1, // keep alive 1
        0, 1, 99, // client id "c"
        0, 3, 97, 47, 98, // will topic "a/b"
        0, 2, 0, 255, // will message 00 FF
      ],
    },
    {
      name: "empty user name and empty password",
      packet: { type: "connect", protocolLevel: 4, clientId: "c", cleanSession: true, keepalive: 0, username: "", password: bin() },
      bytes: [
        16, 17, // fixed header; remaining length 17
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        194, // connect flags: user name 0x80, password 0x40, clean 0x02
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 0, // user name length 0
        0, 0, // password length 0
      ],
    },
    {
      name: "user name without password",
      packet: { type: "connect", protocolLevel: 4, clientId: "c", cleanSession: true, keepalive: 0, username: "u" },
      bytes: [
        16, 16, // fixed header; remaining length 16
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        130, // connect flags: user name 0x80, clean 0x02
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 117, // user name "u"
      ],
    },
    {
      name: "password is binary: 0x00 and ill-formed UTF-8 allowed (3.1.3.5)",
      packet: { type: "connect", protocolLevel: 4, clientId: "c", cleanSession: true, keepalive: 0, username: "u", password: bin(0, 0xc0, 0xff) },
      bytes: [
        16, 21, // fixed header; remaining length 21
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        194, // connect flags: user name, password, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 117, // user name "u"
        0, 3, 0, 192, 255, // password 00 C0 FF
      ],
    },
    {
      name: "multibyte client id (2-, 3- and 4-byte UTF-8), keep alive 65535",
      packet: { type: "connect", protocolLevel: 4, clientId: "é€😀", cleanSession: true, keepalive: 65535 },
      bytes: [
        16, 21, // fixed header; remaining length 21
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        4, // protocol level
        2, // connect flags: clean
        255, 255, // keep alive 65535
        0, 9, // client id length 9 bytes (4 UTF-16 units)
        0xc3, 0xa9, // "é" U+00E9
        0xe2, 0x82, 0xac, // "€" U+20AC
        0xf0, 0x9f, 0x98, 0x80, // "😀" U+1F600
      ],
    },
    {
      name: "protocol level other than 4 is passed through for the server to answer (3.1.2-2)",
      packet: { type: "connect", protocolLevel: 5, clientId: "c", cleanSession: true, keepalive: 10 },
      bytes: [
        16, 13, // fixed header; remaining length 13
        0, 4, 77, 81, 84, 84, // protocol name "MQTT"
        5, // protocol level 5
        2, // connect flags: clean
        0, 10, // keep alive
        0, 1, 99, // client id "c"
      ],
    },
  ];
  vectorTests(rows);

  it("client id of exactly 65,535 bytes round-trips (1.5.3)", () => {
    const packet: ConnectPacket = { type: "connect", protocolLevel: 4, clientId: "x".repeat(65535), cleanSession: true, keepalive: 0 };
    const bytes = encode(packet);
    assert.equal(bytes.length, 1 + 3 + 12 + 65535);
    assert.deepStrictEqual(Array.from(bytes.subarray(0, 4)), [16, ...remainingLength(12 + 65535)]);
    assert.deepStrictEqual(decodeFrame(bytes), packet);
  });

  it("will message and password of exactly 65,535 bytes round-trip", () => {
    const big = new Uint8Array(65535).fill(7);
    const packet: ConnectPacket = {
      type: "connect", protocolLevel: 4, clientId: "c", cleanSession: true, keepalive: 0,
      will: { topic: "t", payload: big, qos: 1, retain: false }, username: "u", password: big,
    };
    assert.deepStrictEqual(decodeFrame(encode(packet)), packet);
  });
});

describe("CONNACK vectors (3.2)", () => {
  const rows: Vector[] = [
    {
      name: "accepted, session present",
      packet: { type: "connack", sessionPresent: true, returnCode: 0 },
      bytes: [
        32, 2, // fixed header: CONNACK; remaining length 2
        1, // acknowledge flags: session present
        0, // return code 0 accepted
      ],
    },
  ];
  for (let code = 0; code <= 5; code++) {
    rows.push({
      name: `return code ${code}, no session`,
      packet: { type: "connack", sessionPresent: false, returnCode: code },
      bytes: [
        32, 2, // fixed header: CONNACK; remaining length 2
        0, // acknowledge flags: none
        code, // return code (Table 3.1)
      ],
    });
  }
  vectorTests(rows);
});

describe("CONNECT decoder rejections", () => {
  const rows: Rejection[] = [
    {
      name: "protocol name MQIsdp (MQTT 3.1)",
      bytes: [
        16, 18, // fixed header; remaining length 18
        0, 6, 77, 81, 73, 115, 100, 112, // protocol name "MQIsdp"
        3, // protocol level 3
        0, // flags
        0, 30, // keep alive
        0, 4, 116, 101, 115, 116, // client id "test"
      ],
      reason: "protocol",
    },
    {
      name: "protocol name in lower case",
      bytes: [
        16, 13, // fixed header
        0, 4, 109, 113, 116, 116, // protocol name "mqtt"
        4, 0, 0, 0, // level, flags, keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "protocol",
    },
    {
      name: "protocol name with an overlong encoding",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 0xc1, 0x94, // "MQ" then C1 94 (overlong "T")
        4, 0, 0, 0, // level, flags, keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "utf8",
    },
    {
      name: "reserved connect flag bit 0 set (3.1.2-3)",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        3, // flags: clean 0x02 | reserved 0x01
        0, 0, // keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "connect-flags",
    },
    {
      name: "will QoS 3 (3.1.2-14)",
      bytes: [
        16, 18, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        30, // flags: will QoS 3 (0x18), will 0x04, clean 0x02
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 119, // will topic "w"
        0, 0, // will message
      ],
      reason: "connect-flags",
    },
    {
      name: "will QoS 1 without the will flag (3.1.2-13)",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        10, // flags: will QoS 1 (0x08), clean 0x02; no will flag
        0, 0, // keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "connect-flags",
    },
    {
      name: "will QoS 2 without the will flag (3.1.2-13)",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        18, // flags: will QoS 2 (0x10), clean 0x02
        0, 0, // keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "connect-flags",
    },
    {
      name: "will QoS 3 without the will flag",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        26, // flags: will QoS 3 (0x18), clean 0x02
        0, 0, // keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "connect-flags",
    },
    {
      name: "will retain without the will flag (3.1.2-15)",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        34, // flags: will retain 0x20, clean 0x02
        0, 0, // keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "connect-flags",
    },
    {
      name: "password flag without the user name flag (3.1.2-22)",
      bytes: [
        16, 16, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        66, // flags: password 0x40, clean 0x02
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 112, // password "p"
      ],
      reason: "connect-flags",
    },
    {
      name: "will topic with a wildcard (4.7.1-1)",
      bytes: [
        16, 20, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        6, // flags: will, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 3, 97, 47, 35, // will topic "a/#"
        0, 0, // will message
      ],
      reason: "topic",
    },
    {
      name: "empty will topic (4.7.3-1)",
      bytes: [
        16, 17, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        6, // flags: will, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 0, // will topic ""
        0, 0, // will message
      ],
      reason: "topic",
    },
    {
      name: "client id with an overlong '/' (C0 AF)",
      bytes: [
        16, 14, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags, keep alive
        0, 2, 0xc0, 0xaf, // client id: overlong U+002F
      ],
      reason: "utf8",
    },
    {
      name: "client id with a UTF-16 surrogate (ED A0 80)",
      bytes: [
        16, 15, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags, keep alive
        0, 3, 0xed, 0xa0, 0x80, // client id: U+D800 encoded
      ],
      reason: "utf8",
    },
    {
      name: "client id with U+0000 (1.5.3-2)",
      bytes: [
        16, 14, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags, keep alive
        0, 2, 97, 0, // client id "a\0"
      ],
      reason: "utf8",
    },
    {
      name: "client id ending inside a 3-byte sequence",
      bytes: [
        16, 14, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags, keep alive
        0, 2, 0xe2, 0x82, // client id: first two bytes of "€"
      ],
      reason: "utf8",
    },
    {
      name: "user name ill-formed (lone continuation byte)",
      bytes: [
        16, 16, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        130, // flags: user name, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 0x80, // user name: lone continuation byte
      ],
      reason: "utf8",
    },
    {
      name: "body ends inside the protocol name length",
      bytes: [
        16, 1, // fixed header; remaining length 1
        0, // half a length
      ],
      reason: "truncated",
    },
    {
      name: "protocol name claims more bytes than remain",
      bytes: [
        16, 4, // fixed header
        0, 4, 77, 81, // protocol name length 4, 2 bytes follow
      ],
      reason: "truncated",
    },
    {
      name: "body ends before the protocol level",
      bytes: [
        16, 6, // fixed header
        0, 4, 77, 81, 84, 84, // protocol name
      ],
      reason: "truncated",
    },
    {
      name: "body ends before the connect flags",
      bytes: [
        16, 7, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
      ],
      reason: "truncated",
    },
    {
      name: "body ends inside the keep alive",
      bytes: [
        16, 9, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, // protocol name, level, flags
        0, // half the keep alive
      ],
      reason: "truncated",
    },
    {
      name: "client id missing",
      bytes: [
        16, 10, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags, keep alive
      ],
      reason: "truncated",
    },
    {
      name: "client id claims more bytes than remain",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags, keep alive
        0, 5, 99, // client id length 5, 1 byte follows
      ],
      reason: "truncated",
    },
    {
      name: "will flag set but no will topic",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        6, // flags: will, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "truncated",
    },
    {
      name: "will message missing",
      bytes: [
        16, 16, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        6, // flags: will, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 119, // will topic "w"
      ],
      reason: "truncated",
    },
    {
      name: "will message claims more bytes than remain",
      bytes: [
        16, 19, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        6, // flags: will, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 119, // will topic "w"
        0, 9, 1, // will message length 9, 1 byte follows
      ],
      reason: "truncated",
    },
    {
      name: "user name flag set but no user name",
      bytes: [
        16, 13, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        130, // flags: user name, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
      ],
      reason: "truncated",
    },
    {
      name: "password flag set but no password",
      bytes: [
        16, 16, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        194, // flags: user name, password, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 117, // user name "u"
      ],
      reason: "truncated",
    },
    {
      name: "password claims more bytes than remain",
      bytes: [
        16, 20, // fixed header
        0, 4, 77, 81, 84, 84, 4, // protocol name, level
        194, // flags: user name, password, clean
        0, 0, // keep alive
        0, 1, 99, // client id "c"
        0, 1, 117, // user name "u"
        0, 5, 1, 2, // password length 5, 2 bytes follow
      ],
      reason: "truncated",
    },
    {
      name: "bytes after the client id",
      bytes: [
        16, 14, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags, keep alive
        0, 1, 99, // client id "c"
        0, // trailing byte
      ],
      reason: "trailing-bytes",
    },
    {
      name: "user name present but its flag clear",
      bytes: [
        16, 16, // fixed header
        0, 4, 77, 81, 84, 84, 4, 2, 0, 0, // protocol name, level, flags (clean only), keep alive
        0, 1, 99, // client id "c"
        0, 1, 117, // a user name the flags do not announce
      ],
      reason: "trailing-bytes",
    },
  ];
  rejectionTests(rows);

  wrongFlagTests(["connect"], () => [0, 4, 77, 81, 84, 84, 4, 2, 0, 0, 0, 1, 99]);
});

describe("CONNACK decoder rejections", () => {
  const rows: Rejection[] = [
    { name: "empty body", bytes: [32, 0], reason: "truncated" },
    {
      name: "body ends before the return code",
      bytes: [
        32, 1, // fixed header; remaining length 1
        0, // acknowledge flags
      ],
      reason: "truncated",
    },
    {
      name: "three-byte body",
      bytes: [
        32, 3, // fixed header; remaining length 3
        0, 0, // flags, return code
        0, // trailing byte
      ],
      reason: "trailing-bytes",
    },
    {
      name: "return code 6 (reserved, 3.2.2.3)",
      bytes: [
        32, 2, // fixed header
        0, // acknowledge flags
        6, // return code 6
      ],
      reason: "return-code",
    },
    { name: "return code 0x80", bytes: [32, 2, 0, 128], reason: "return-code" },
    { name: "return code 0xFF", bytes: [32, 2, 0, 255], reason: "return-code" },
    {
      name: "acknowledge flags reserved bit 1 (3.2.2.1)",
      bytes: [
        32, 2, // fixed header
        2, // acknowledge flags: reserved bit 1
        0, // return code
      ],
      reason: "connack-flags",
    },
    { name: "acknowledge flags reserved bit 7", bytes: [32, 2, 128, 0], reason: "connack-flags" },
    { name: "acknowledge flags 0xFF", bytes: [32, 2, 255, 0], reason: "connack-flags" },
    {
      name: "session present with return code 1 (3.2.2-4)",
      bytes: [
        32, 2, // fixed header
        1, // session present
        1, // return code 1: unacceptable protocol version
      ],
      reason: "connack-flags",
    },
    { name: "session present with return code 5 (3.2.2-4)", bytes: [32, 2, 1, 5], reason: "connack-flags" },
  ];
  rejectionTests(rows);

  wrongFlagTests(["connack"], () => [0, 0]);
});

describe("CONNECT encoder validation", () => {
  const base = { type: "connect", protocolLevel: 4, clientId: "c", cleanSession: true, keepalive: 0 };
  const will = { topic: "w", payload: bin(), qos: 0, retain: false };
  const rows: EncoderCase[] = [
    { name: "protocol level 256", packet: bad({ ...base, protocolLevel: 256 }), error: RangeError, field: "connect.protocolLevel" },
    { name: "protocol level -1", packet: bad({ ...base, protocolLevel: -1 }), error: RangeError, field: "connect.protocolLevel" },
    { name: "protocol level 4.5", packet: bad({ ...base, protocolLevel: 4.5 }), error: RangeError, field: "connect.protocolLevel" },
    { name: "protocol level as a string", packet: bad({ ...base, protocolLevel: "4" }), error: RangeError, field: "connect.protocolLevel" },
    { name: "client id not a string", packet: bad({ ...base, clientId: 42 }), error: TypeError, field: "connect.clientId" },
    { name: "client id with a lone surrogate", packet: bad({ ...base, clientId: "a\uD800" }), error: TypeError, field: "connect.clientId" },
    { name: "client id with U+0000", packet: bad({ ...base, clientId: "a\u0000b" }), error: TypeError, field: "connect.clientId" },
    { name: "client id of 65,536 bytes", packet: bad({ ...base, clientId: "x".repeat(65536) }), error: RangeError, field: "connect.clientId" },
    { name: "client id of 21,846 '€' (65,538 bytes)", packet: bad({ ...base, clientId: "€".repeat(21846) }), error: RangeError, field: "connect.clientId" },
    { name: "clean session not a boolean", packet: bad({ ...base, cleanSession: 1 }), error: TypeError, field: "connect.cleanSession" },
    { name: "keep alive 65536", packet: bad({ ...base, keepalive: 65536 }), error: RangeError, field: "connect.keepalive" },
    { name: "keep alive -1", packet: bad({ ...base, keepalive: -1 }), error: RangeError, field: "connect.keepalive" },
    { name: "keep alive 1.5", packet: bad({ ...base, keepalive: 1.5 }), error: RangeError, field: "connect.keepalive" },
    { name: "will topic with a wildcard", packet: bad({ ...base, will: { ...will, topic: "a/+" } }), error: TypeError, field: "connect.will.topic" },
    { name: "empty will topic", packet: bad({ ...base, will: { ...will, topic: "" } }), error: TypeError, field: "connect.will.topic" },
    { name: "will topic not a string", packet: bad({ ...base, will: { ...will, topic: 7 } }), error: TypeError, field: "connect.will.topic" },
    { name: "will QoS 3", packet: bad({ ...base, will: { ...will, qos: 3 } }), error: RangeError, field: "connect.will.qos" },
    { name: "will message a string", packet: bad({ ...base, will: { ...will, payload: "bye" } }), error: TypeError, field: "connect.will.payload" },
    { name: "will message of 65,536 bytes", packet: bad({ ...base, will: { ...will, payload: new Uint8Array(65536) } }), error: RangeError, field: "connect.will.payload" },
    { name: "will retain not a boolean", packet: bad({ ...base, will: { ...will, retain: "no" } }), error: TypeError, field: "connect.will.retain" },
    { name: "user name not a string", packet: bad({ ...base, username: 5 }), error: TypeError, field: "connect.username" },
    { name: "user name with a lone surrogate", packet: bad({ ...base, username: "\uDC00" }), error: TypeError, field: "connect.username" },
    { name: "user name with U+0000", packet: bad({ ...base, username: "\u0000" }), error: TypeError, field: "connect.username" },
    { name: "user name of 65,536 bytes", packet: bad({ ...base, username: "u".repeat(65536) }), error: RangeError, field: "connect.username" },
    { name: "password without user name (3.1.2-22)", packet: bad({ ...base, password: bin(1) }), error: TypeError, field: "connect.password" },
    { name: "password a string", packet: bad({ ...base, username: "u", password: "secret" }), error: TypeError, field: "connect.password" },
    { name: "password of 65,536 bytes", packet: bad({ ...base, username: "u", password: new Uint8Array(65536) }), error: RangeError, field: "connect.password" },
  ];
  encoderErrorTests(rows);

  it("never shows the password in an error message", () => {
    try {
      encode(bad({ ...base, password: text("hunter2") }));
      assert.fail("encode did not throw");
    }
    catch (error) {
      assert.ok(error instanceof TypeError);
      assert.ok(!error.message.includes("hunter2"));
    }
  });
});

describe("CONNACK encoder validation", () => {
  const rows: EncoderCase[] = [
    { name: "return code 6", packet: bad({ type: "connack", sessionPresent: false, returnCode: 6 }), error: RangeError, field: "connack.returnCode" },
    { name: "return code -1", packet: bad({ type: "connack", sessionPresent: false, returnCode: -1 }), error: RangeError, field: "connack.returnCode" },
    { name: "return code 0.5", packet: bad({ type: "connack", sessionPresent: false, returnCode: 0.5 }), error: RangeError, field: "connack.returnCode" },
    { name: "session present not a boolean", packet: bad({ type: "connack", sessionPresent: 1, returnCode: 0 }), error: TypeError, field: "connack.sessionPresent" },
    { name: "session present with a refusal (3.2.2-4)", packet: bad({ type: "connack", sessionPresent: true, returnCode: 5 }), error: TypeError, field: "connack.sessionPresent" },
  ];
  encoderErrorTests(rows);
});
