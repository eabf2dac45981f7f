/*
 * SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP and DISCONNECT
 * (MQTT 3.1.1 sections 3.8 to 3.14): exact-byte vectors, every decoder
 * rejection rule and every encoder validation for them.
 */

import { describe } from "node:test";

import {
  bad, encoderErrorTests, rejectionTests, vectorTests, wrongFlagTests,
  type EncoderCase, type Rejection, type Vector,
} from "./support";

describe("SUBSCRIBE vectors (3.8)", () => {
  const rows: Vector[] = [
    {
      name: "subscribe to one topic",
      packet: { type: "subscribe", packetId: 6, subscriptions: [{ topicFilter: "test", qos: 0 }] },
      bytes: [
        130, 9, // fixed header: SUBSCRIBE, flags 0x2; remaining length 9
        0, 6, // packet id 6
        0, 4, 116, 101, 115, 116, // topic filter "test"
        0, // requested QoS 0
      ],
    },
    {
      name: "subscribe to three topics at QoS 0, 1, 2",
      packet: {
        type: "subscribe", packetId: 6,
        subscriptions: [{ topicFilter: "test", qos: 0 }, { topicFilter: "uest", qos: 1 }, { topicFilter: "tfst", qos: 2 }],
      },
      bytes: [
        130, 23, // fixed header; remaining length 23
        0, 6, // packet id 6
        0, 4, 116, 101, 115, 116, // topic filter "test"
        0, // QoS 0
        0, 4, 117, 101, 115, 116, // topic filter "uest"
        1, // QoS 1
        0, 4, 116, 102, 115, 116, // topic filter "tfst"
        2, // QoS 2
      ],
    },
    {
      name: "wildcard filters: '#', '+/+', 'a/#', '$SYS/#'",
      packet: {
        type: "subscribe", packetId: 65535,
        subscriptions: [
          { topicFilter: "#", qos: 2 }, { topicFilter: "+/+", qos: 1 },
          { topicFilter: "a/#", qos: 0 }, { topicFilter: "$SYS/#", qos: 0 },
        ],
      },
      bytes: [
        130, 27, // fixed header; remaining length 27
        255, 255, // packet id 65535
        0, 1, 35, // "#"
        2, // QoS 2
        0, 3, 43, 47, 43, // "+/+"
        1, // QoS 1
        0, 3, 97, 47, 35, // "a/#"
        0, // QoS 0
        0, 6, 36, 83, 89, 83, 47, 35, // "$SYS/#"
        0, // QoS 0
      ],
    },
    {
      name: "multibyte filter with '+' as a whole level",
      packet: { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "€/+", qos: 1 }] },
      bytes: [
        130, 10, // fixed header; remaining length 10
        0, 1, // packet id 1
        0, 5, // filter length 5
        0xe2, 0x82, 0xac, // "€"
        47, 43, // "/+"
        1, // QoS 1
      ],
    },
  ];
  vectorTests(rows);
});

describe("SUBACK vectors (3.9)", () => {
  const rows: Vector[] = [
    {
      name: "suback with every allowed return code",
      packet: { type: "suback", packetId: 6, returnCodes: [0, 1, 2, 128] },
      bytes: [
        144, 6, // fixed header: SUBACK; remaining length 6
        0, 6, // packet id 6
        0, // granted QoS 0
        1, // granted QoS 1
        2, // granted QoS 2
        128, // failure 0x80
      ],
    },
    {
      name: "suback with a single failure",
      packet: { type: "suback", packetId: 300, returnCodes: [128] },
      bytes: [
        144, 3, // fixed header; remaining length 3
        1, 44, // packet id 300
        128, // failure
      ],
    },
  ];
  vectorTests(rows);
});

describe("UNSUBSCRIBE and UNSUBACK vectors (3.10, 3.11)", () => {
  const rows: Vector[] = [
    {
      name: "unsubscribe from two topics",
      packet: { type: "unsubscribe", packetId: 7, topicFilters: ["tfst", "test"] },
      bytes: [
        162, 14, // fixed header: UNSUBSCRIBE, flags 0x2; remaining length 14
        0, 7, // packet id 7
        0, 4, 116, 102, 115, 116, // "tfst"
        0, 4, 116, 101, 115, 116, // "test"
      ],
    },
    {
      name: "unsubscribe from a wildcard filter",
      packet: { type: "unsubscribe", packetId: 1, topicFilters: ["+/#"] },
      bytes: [
        162, 7, // fixed header; remaining length 7
        0, 1, // packet id 1
        0, 3, 43, 47, 35, // "+/#"
      ],
    },
    {
      name: "unsuback",
      packet: { type: "unsuback", packetId: 8 },
      bytes: [
        176, 2, // fixed header: UNSUBACK; remaining length 2
        0, 8, // packet id 8
      ],
    },
  ];
  vectorTests(rows);
});

describe("PINGREQ, PINGRESP, DISCONNECT vectors (3.12-3.14)", () => {
  const rows: Vector[] = [
    { name: "pingreq", packet: { type: "pingreq" }, bytes: [192, 0] }, // fixed header: PINGREQ; remaining length 0
    { name: "pingresp", packet: { type: "pingresp" }, bytes: [208, 0] }, // fixed header: PINGRESP; remaining length 0
    { name: "disconnect", packet: { type: "disconnect" }, bytes: [224, 0] }, // fixed header: DISCONNECT; remaining length 0
  ];
  vectorTests(rows);
});

/** A SUBSCRIBE with packet id 1 and one filter given as raw bytes, at QoS byte `qos`. */
function subscribeWith(filter: number[], qos = 0): number[] {
  return [130, 2 + 2 + filter.length + 1, 0, 1, 0, filter.length, ...filter, qos];
}

/** An UNSUBSCRIBE with packet id 1 and one filter given as raw bytes. */
function unsubscribeWith(filter: number[]): number[] {
  return [162, 2 + 2 + filter.length, 0, 1, 0, filter.length, ...filter];
}

const misplaced: [string, number[]][] = [
  ["a+", [97, 43]], // "+" not alone in its level (4.7.1-3)
  ["+a", [43, 97]],
  ["a/b+", [97, 47, 98, 43]],
  ["++", [43, 43]],
  ["a#", [97, 35]], // "#" not alone in its level (4.7.1-2)
  ["#/a", [35, 47, 97]], // "#" not last
  ["a/#/b", [97, 47, 35, 47, 98]],
  ["##", [35, 35]],
  ["#/", [35, 47]],
];

describe("SUBSCRIBE decoder rejections", () => {
  const rows: Rejection[] = [
    {
      name: "no topic filters (3.8.3-3)",
      bytes: [
        130, 2, // fixed header; remaining length 2
        0, 1, // packet id 1, then nothing
      ],
      reason: "empty-list",
    },
    {
      name: "packet id 0 (2.3.1-1)",
      bytes: [
        130, 6, // fixed header
        0, 0, // packet id 0
        0, 1, 97, 0, // "a" QoS 0
      ],
      reason: "packet-id",
    },
    { name: "empty body", bytes: [130, 0], reason: "truncated" },
    { name: "half a packet id", bytes: [130, 1, 0], reason: "truncated" },
    {
      name: "filter without its QoS byte",
      bytes: [
        130, 5, // fixed header
        0, 1, // packet id
        0, 1, 97, // "a", then no QoS byte
      ],
      reason: "truncated",
    },
    {
      name: "filter claims more bytes than remain",
      bytes: [
        130, 5, // fixed header
        0, 1, // packet id
        0, 5, 97, // length 5, 1 byte follows
      ],
      reason: "truncated",
    },
    {
      name: "half a filter length",
      bytes: [
        130, 3, // fixed header
        0, 1, // packet id
        0, // half a length
      ],
      reason: "truncated",
    },
    { name: "requested QoS 3 (3.8.3-4)", bytes: subscribeWith([97], 3), reason: "qos" },
    { name: "requested QoS byte 0x04 (reserved bit 2)", bytes: subscribeWith([97], 0x04), reason: "qos" },
    { name: "requested QoS byte 0x41 (reserved bit 6)", bytes: subscribeWith([97], 0x41), reason: "qos" },
    { name: "requested QoS byte 0x80 (reserved bit 7)", bytes: subscribeWith([97], 0x80), reason: "qos" },
    { name: "requested QoS byte 0xFC (every reserved bit)", bytes: subscribeWith([97], 0xfc), reason: "qos" },
    {
      name: "second entry's QoS invalid",
      bytes: [
        130, 10, // fixed header
        0, 1, // packet id
        0, 1, 97, 1, // "a" QoS 1
        0, 1, 98, 3, // "b" QoS 3
      ],
      reason: "qos",
    },
    ...misplaced.map(([filter, bytes]): Rejection => ({ name: `misplaced wildcard '${filter}'`, bytes: subscribeWith(bytes), reason: "topic" })),
    { name: "empty filter (4.7.3-1)", bytes: subscribeWith([]), reason: "topic" },
    {
      name: "second filter invalid",
      bytes: [
        130, 11, // fixed header
        0, 1, // packet id
        0, 1, 97, 0, // "a" QoS 0
        0, 2, 97, 43, 0, // "a+" QoS 0
      ],
      reason: "topic",
    },
    { name: "filter with an overlong '#' (C0 A3)", bytes: subscribeWith([0xc0, 0xa3]), reason: "utf8" },
    { name: "filter with a surrogate (ED A0 80)", bytes: subscribeWith([0xed, 0xa0, 0x80]), reason: "utf8" },
    { name: "filter with U+0000", bytes: subscribeWith([97, 0]), reason: "utf8" },
    { name: "filter ending inside a two-byte sequence", bytes: subscribeWith([97, 0xc3]), reason: "utf8" },
  ];
  rejectionTests(rows);

  wrongFlagTests(["subscribe"], () => [0, 1, 0, 1, 97, 0]);
});

describe("SUBACK decoder rejections", () => {
  const rows: Rejection[] = [
    {
      name: "return code 3 (3.9.3-2)",
      bytes: [
        144, 3, // fixed header
        0, 1, // packet id
        3, // return code 3
      ],
      reason: "return-code",
    },
    { name: "return code 0x7F", bytes: [144, 3, 0, 1, 0x7f], reason: "return-code" },
    { name: "return code 0x81", bytes: [144, 3, 0, 1, 0x81], reason: "return-code" },
    { name: "return code 0xFF", bytes: [144, 3, 0, 1, 0xff], reason: "return-code" },
    { name: "bad code after good ones", bytes: [144, 5, 0, 1, 0, 128, 4], reason: "return-code" },
    {
      name: "no return codes",
      bytes: [
        144, 2, // fixed header
        0, 1, // packet id, then nothing
      ],
      reason: "empty-list",
    },
    { name: "packet id 0 (2.3.1-1)", bytes: [144, 3, 0, 0, 0], reason: "packet-id" },
    { name: "empty body", bytes: [144, 0], reason: "truncated" },
    { name: "half a packet id", bytes: [144, 1, 9], reason: "truncated" },
  ];
  rejectionTests(rows);

  wrongFlagTests(["suback"], () => [0, 1, 0]);
});

describe("UNSUBSCRIBE decoder rejections", () => {
  const rows: Rejection[] = [
    {
      name: "no topic filters (3.10.3-2)",
      bytes: [
        162, 2, // fixed header
        0, 1, // packet id, then nothing
      ],
      reason: "empty-list",
    },
    { name: "packet id 0 (2.3.1-1)", bytes: [162, 5, 0, 0, 0, 1, 97], reason: "packet-id" },
    { name: "empty body", bytes: [162, 0], reason: "truncated" },
    {
      name: "filter claims more bytes than remain",
      bytes: [
        162, 5, // fixed header
        0, 1, // packet id
        0, 2, 97, // length 2, 1 byte follows
      ],
      reason: "truncated",
    },
    { name: "half a filter length after a good filter", bytes: [162, 6, 0, 1, 0, 1, 97, 0], reason: "truncated" },
    ...misplaced.map(([filter, bytes]): Rejection => ({ name: `misplaced wildcard '${filter}'`, bytes: unsubscribeWith(bytes), reason: "topic" })),
    { name: "empty filter", bytes: unsubscribeWith([]), reason: "topic" },
    { name: "filter with an overlong encoding (E0 81 81)", bytes: unsubscribeWith([0xe0, 0x81, 0x81]), reason: "utf8" },
    { name: "filter with U+0000", bytes: unsubscribeWith([0]), reason: "utf8" },
  ];
  rejectionTests(rows);

  wrongFlagTests(["unsubscribe"], () => [0, 1, 0, 1, 97]);
});

describe("UNSUBACK, PINGREQ, PINGRESP, DISCONNECT decoder rejections", () => {
  const rows: Rejection[] = [
    { name: "unsuback: packet id 0 (2.3.1-1)", bytes: [176, 2, 0, 0], reason: "packet-id" },
    { name: "unsuback: empty body", bytes: [176, 0], reason: "truncated" },
    { name: "unsuback: half a packet id", bytes: [176, 1, 1], reason: "truncated" },
    { name: "unsuback: three-byte body", bytes: [176, 3, 0, 1, 0], reason: "trailing-bytes" },
    { name: "pingreq with a body", bytes: [192, 1, 0], reason: "trailing-bytes" },
    { name: "pingresp with a body", bytes: [208, 2, 0, 0], reason: "trailing-bytes" },
    { name: "disconnect with a body", bytes: [224, 1, 0], reason: "trailing-bytes" },
  ];
  rejectionTests(rows);

  wrongFlagTests(["unsuback"], () => [0, 1]);
  wrongFlagTests(["pingreq", "pingresp", "disconnect"], () => []);
});

describe("SUBSCRIBE encoder validation", () => {
  const sub = { topicFilter: "a", qos: 0 };
  const base = { type: "subscribe", packetId: 1, subscriptions: [sub] };
  const rows: EncoderCase[] = [
    { name: "packet id 0", packet: bad({ ...base, packetId: 0 }), error: RangeError, field: "subscribe.packetId" },
    { name: "packet id 65536", packet: bad({ ...base, packetId: 65536 }), error: RangeError, field: "subscribe.packetId" },
    { name: "packet id missing", packet: bad({ ...base, packetId: undefined }), error: RangeError, field: "subscribe.packetId" },
    { name: "no subscriptions (3.8.3-3)", packet: bad({ ...base, subscriptions: [] }), error: TypeError, field: "subscribe.subscriptions" },
    { name: "subscriptions not an array", packet: bad({ ...base, subscriptions: sub }), error: TypeError, field: "subscribe.subscriptions" },
    { name: "misplaced '+'", packet: bad({ ...base, subscriptions: [{ ...sub, topicFilter: "a+" }] }), error: TypeError, field: "subscribe.subscriptions[0].topicFilter" },
    { name: "misplaced '#' in the second entry", packet: bad({ ...base, subscriptions: [sub, { ...sub, topicFilter: "#/a" }] }), error: TypeError, field: "subscribe.subscriptions[1].topicFilter" },
    { name: "empty filter", packet: bad({ ...base, subscriptions: [{ ...sub, topicFilter: "" }] }), error: TypeError, field: "subscribe.subscriptions[0].topicFilter" },
    { name: "filter not a string", packet: bad({ ...base, subscriptions: [{ ...sub, topicFilter: 3 }] }), error: TypeError, field: "subscribe.subscriptions[0].topicFilter" },
    { name: "filter with U+0000", packet: bad({ ...base, subscriptions: [{ ...sub, topicFilter: "\u0000" }] }), error: TypeError, field: "subscribe.subscriptions[0].topicFilter" },
    { name: "filter with a lone surrogate", packet: bad({ ...base, subscriptions: [{ ...sub, topicFilter: "\uDFFF/#" }] }), error: TypeError, field: "subscribe.subscriptions[0].topicFilter" },
    { name: "filter of 65,536 bytes", packet: bad({ ...base, subscriptions: [{ ...sub, topicFilter: "f".repeat(65536) }] }), error: TypeError, field: "subscribe.subscriptions[0].topicFilter" },
    { name: "QoS 3", packet: bad({ ...base, subscriptions: [{ ...sub, qos: 3 }] }), error: RangeError, field: "subscribe.subscriptions[0].qos" },
    { name: "QoS missing in the second entry", packet: bad({ ...base, subscriptions: [sub, { topicFilter: "b" }] }), error: RangeError, field: "subscribe.subscriptions[1].qos" },
  ];
  encoderErrorTests(rows);
});

describe("SUBACK encoder validation", () => {
  const base = { type: "suback", packetId: 1, returnCodes: [0] };
  const rows: EncoderCase[] = [
    { name: "packet id 0", packet: bad({ ...base, packetId: 0 }), error: RangeError, field: "suback.packetId" },
    { name: "no return codes", packet: bad({ ...base, returnCodes: [] }), error: TypeError, field: "suback.returnCodes" },
    { name: "return codes not an array", packet: bad({ ...base, returnCodes: 0 }), error: TypeError, field: "suback.returnCodes" },
    { name: "return code 3 (3.9.3-2)", packet: bad({ ...base, returnCodes: [0, 3] }), error: RangeError, field: "suback.returnCodes[1]" },
    { name: "return code 0x81", packet: bad({ ...base, returnCodes: [0x81] }), error: RangeError, field: "suback.returnCodes[0]" },
    { name: "return code as a string", packet: bad({ ...base, returnCodes: ["1"] }), error: RangeError, field: "suback.returnCodes[0]" },
  ];
  encoderErrorTests(rows);
});

describe("UNSUBSCRIBE, UNSUBACK and unknown type encoder validation", () => {
  const base = { type: "unsubscribe", packetId: 1, topicFilters: ["a"] };
  const rows: EncoderCase[] = [
    { name: "unsubscribe packet id 0", packet: bad({ ...base, packetId: 0 }), error: RangeError, field: "unsubscribe.packetId" },
    { name: "no topic filters (3.10.3-2)", packet: bad({ ...base, topicFilters: [] }), error: TypeError, field: "unsubscribe.topicFilters" },
    { name: "topic filters not an array", packet: bad({ ...base, topicFilters: "a" }), error: TypeError, field: "unsubscribe.topicFilters" },
    { name: "misplaced wildcard in the second filter", packet: bad({ ...base, topicFilters: ["a", "a#"] }), error: TypeError, field: "unsubscribe.topicFilters[1]" },
    { name: "empty filter", packet: bad({ ...base, topicFilters: [""] }), error: TypeError, field: "unsubscribe.topicFilters[0]" },
    { name: "filter not a string", packet: bad({ ...base, topicFilters: [null] }), error: TypeError, field: "unsubscribe.topicFilters[0]" },
    { name: "unsuback packet id 0", packet: bad({ type: "unsuback", packetId: 0 }), error: RangeError, field: "unsuback.packetId" },
    { name: "unsuback packet id 65536", packet: bad({ type: "unsuback", packetId: 65536 }), error: RangeError, field: "unsuback.packetId" },
    { name: "MQTT 5 type 'auth'", packet: bad({ type: "auth" }), error: TypeError, field: "packet.type" },
    { name: "type in upper case", packet: bad({ type: "PINGREQ" }), error: TypeError, field: "packet.type" },
    { name: "no type", packet: bad({}), error: TypeError, field: "packet.type" },
  ];
  encoderErrorTests(rows);
});
