/*
 * MQTT client, what the broker sends: incoming PUBLISH at QoS 0 and 1 (3.3,
 * 4.3) reaches onMessage, QoS 1 is acknowledged with its packet id; malformed
 * bytes and protocol violations (4.8: close the network connection) end the
 * link with LinkError "malformed" and the client reconnects.
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { type ClientOptions } from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import type { Packet } from "../../../src/mqtt/packets";
import { LinkError } from "../../../src/mqtt/transport";
import { FakeSocket } from "../../helpers/fake-socket";
import { setup as harnessSetup, BIG_GRANT, text, connect } from "../../helpers/client-harness";

const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup(extra);

beforeEach(() => FakeSocket.reset());

// ---- tests ----

describe("client: incoming PUBLISH", () => {
  it("QoS 0 reaches onMessage with topic, payload, qos and retain; nothing is sent back", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    socket.deliver(encode({ type: "publish", topic: "devices/sensor-1/cmd", payload: text("led on"), qos: 0, retain: false, dup: false }));
    assert.deepStrictEqual(events.messages, [{ topic: "devices/sensor-1/cmd", payload: text("led on"), qos: 0, retain: false }]);
    assert.deepEqual(socket.take(), []);
    assert.equal(client.state, "connected");
  });

  it("QoS 1 with retain reaches onMessage and is acknowledged with a PUBACK carrying its packet id", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    socket.deliver(encode({ type: "publish", topic: "config/interval", payload: new Uint8Array([0, 60]), qos: 1, retain: true, dup: false, packetId: 0x1234 }));
    assert.deepStrictEqual(events.messages, [{ topic: "config/interval", payload: new Uint8Array([0, 60]), qos: 1, retain: true }]);
    assert.deepStrictEqual(socket.take(), [{ type: "puback", packetId: 0x1234 } satisfies Packet]);
    assert.equal(client.state, "connected");
  });

  it("a redelivered QoS 1 message (DUP) is acknowledged again with the same id", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    const packet = { type: "publish", topic: "cmd", payload: text("x"), qos: 1, retain: false, dup: false, packetId: 65535 } as const;
    socket.deliver(encode(packet));
    socket.deliver(encode({ ...packet, dup: true }));
    assert.deepStrictEqual(socket.take(), [{ type: "puback", packetId: 65535 }, { type: "puback", packetId: 65535 }]);
    assert.equal(events.messages.length, 2);
  });

  it("several packets in one read, and one packet split byte by byte, all arrive in order", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    const a = encode({ type: "publish", topic: "a", payload: text("1"), qos: 0, retain: false, dup: false });
    const b = encode({ type: "publish", topic: "b", payload: text("2"), qos: 1, retain: false, dup: false, packetId: 7 });
    const c = encode({ type: "publish", topic: "c", payload: new Uint8Array(300).fill(9), qos: 0, retain: true, dup: false });
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    socket.deliver(both);
    for (const byte of c) socket.deliver(new Uint8Array([byte]));
    assert.deepEqual(events.messages.map((m) => m.topic), ["a", "b", "c"]);
    assert.deepEqual(events.messages[2].payload, new Uint8Array(300).fill(9));
    assert.deepStrictEqual(socket.take(), [{ type: "puback", packetId: 7 }]);
    assert.equal(client.state, "connected");
  });

  it("an empty payload is delivered as an empty Uint8Array", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    socket.deliver(encode({ type: "publish", topic: "retained/cleared", payload: new Uint8Array(0), qos: 0, retain: true, dup: false }));
    assert.equal(events.messages.length, 1);
    assert.ok(events.messages[0].payload instanceof Uint8Array);
    assert.equal(events.messages[0].payload.length, 0);
  });
});

describe("client: malformed bytes and protocol errors close the link (4.8)", () => {
  /** Feeds `bytes` on a connected link and checks the link ends with LinkError "malformed" and the client reconnects. */
  function assertMalformed(bytes: Uint8Array, beforeConnack = false): void {
    const { client, timers, events } = setup();
    client.start();
    let socket: FakeSocket;
    if (beforeConnack) {
      socket = FakeSocket.last;
      socket.accept(BIG_GRANT);
      socket.take();
    }
    else socket = connect();
    socket.deliver(bytes);

    assert.equal(events.errors.length, 1, "onError is called once");
    const error = events.errors[0];
    assert.ok(error instanceof LinkError, `got ${String(error)}`);
    assert.equal(error.reason, "malformed");
    assert.equal(socket.closed, true, "the client closes the link");
    assert.equal(client.state, "waiting");
    assert.deepEqual(events.messages, [], "nothing from a broken stream reaches the application");
    if (beforeConnack) {
      assert.equal(events.connects.length, 0);
      assert.deepEqual(events.disconnects, []);
    }
    else assert.deepEqual(events.disconnects, [error]);
    assert.deepEqual(socket.take().filter((p) => p.type !== "puback"), [], "nothing more is sent on the broken link");

    timers.advance(499);
    assert.equal(FakeSocket.all.length, 1);
    timers.advance(1);
    assert.equal(FakeSocket.all.length, 2, "reconnects after the backoff");
    connect();
    assert.equal(client.state, "connected");
  }

  it("reserved packet type 15 (0xF0)", () => assertMalformed(new Uint8Array([0xf0, 0x00])));
  it("reserved packet type 0 (0x00)", () => assertMalformed(new Uint8Array([0x00, 0x00])));
  it("PUBLISH with QoS 3", () => assertMalformed(new Uint8Array([0x36, 0x07, 0x00, 0x01, 0x61, 0x00, 0x01, 0x68, 0x69])));
  it("PUBLISH with DUP at QoS 0", () => assertMalformed(new Uint8Array([0x38, 0x04, 0x00, 0x01, 0x61, 0x68])));
  it("PUBLISH with a wildcard in its topic", () => assertMalformed(new Uint8Array([0x30, 0x04, 0x00, 0x01, 0x23, 0x68])));
  it("PUBACK with wrong fixed header flags", () => assertMalformed(new Uint8Array([0x42, 0x02, 0x00, 0x01])));
  it("PUBACK with packet id 0", () => assertMalformed(new Uint8Array([0x40, 0x02, 0x00, 0x00])));
  it("Remaining Length longer than four bytes", () => assertMalformed(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])));
  it("a valid packet followed by garbage in the same read: the packet arrives, then the link closes", () => {
    const { client, events } = setup();
    client.start();
    const socket = connect();
    const good = encode({ type: "publish", topic: "ok", payload: text("1"), qos: 0, retain: false, dup: false });
    const bytes = new Uint8Array(good.length + 2);
    bytes.set(good);
    bytes.set([0xf0, 0x00], good.length);
    socket.deliver(bytes);
    assert.deepEqual(events.messages.map((m) => m.topic), ["ok"]);
    assert.equal((events.errors[0] as LinkError).reason, "malformed");
    assert.equal(client.state, "waiting");
  });

  it("a packet larger than maxPacketSize", () => {
    const { client, events } = setup({ maxPacketSize: 64 });
    client.start();
    const socket = connect();
    socket.deliver(encode({ type: "publish", topic: "big", payload: new Uint8Array(100), qos: 0, retain: false, dup: false }));
    assert.equal(events.messages.length, 0);
    assert.equal((events.errors[0] as LinkError).reason, "malformed");
    assert.equal(client.state, "waiting");
  });

  it("a packet other than CONNACK first (PINGRESP)", () => assertMalformed(encode({ type: "pingresp" }), true));
  it("a packet other than CONNACK first (PUBLISH)", () =>
    assertMalformed(encode({ type: "publish", topic: "early", payload: text("x"), qos: 0, retain: false, dup: false }), true));
  it("a packet other than CONNACK first (PUBACK)", () => assertMalformed(encode({ type: "puback", packetId: 1 }), true));
  it("a second CONNACK on a connected link", () => assertMalformed(encode({ type: "connack", sessionPresent: false, returnCode: 0 })));
  it("a packet only a client sends (CONNECT) from the broker", () =>
    assertMalformed(encode({ type: "connect", protocolLevel: 4, clientId: "x", cleanSession: true, keepalive: 0 })));
  it("a packet only a client sends (PINGREQ) from the broker", () => assertMalformed(encode({ type: "pingreq" })));
  it("SUBACK for a subscription never made", () => assertMalformed(encode({ type: "suback", packetId: 1, returnCodes: [0] })));
});
