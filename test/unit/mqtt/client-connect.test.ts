/*
 * MQTT client, connecting: the CONNECT it sends (3.1), option checks at
 * construction, CONNACK handling (3.2): accepted, refused with each return
 * code, the birth message, and the connect timeout. Everything is observed
 * through the wire (FakeSocket), callbacks, `state` and `stats`, on a virtual
 * clock.
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import {
  type ClientOptions, ConnectionRefusedError, type RefusalReason, TimeoutError,
} from "../../../src/mqtt/client";
import { encode } from "../../../src/mqtt/encoder";
import { LinkError } from "../../../src/mqtt/transport";
import { FakeSocket } from "../../helpers/fake-socket";
import { setup as harnessSetup, BIG_GRANT, text, publishes, connect, everything } from "../../helpers/client-harness";

const setup = (extra: Partial<ClientOptions> = {}) => harnessSetup(extra);

beforeEach(() => FakeSocket.reset());

// ---- tests ----

describe("client: CONNECT contents (3.1)", () => {
  it("sends one CONNECT with every field once the socket opens, not before", () => {
    const { client } = setup({
      clientId: "sensor-42",
      port: 8883,
      cleanSession: false,
      keepalive: 30,
      will: { topic: "devices/sensor-42/status", payload: "offline", qos: 1, retain: true },
      username: "device-user",
      password: "device-password",
    });
    assert.equal(client.state, "idle");
    assert.equal(FakeSocket.all.length, 0, "no socket before start()");
    client.start();
    assert.equal(client.state, "connecting");
    const socket = FakeSocket.last;
    assert.equal(socket.options.address, "192.0.2.10");
    assert.equal(socket.options.port, 8883);
    assert.equal(socket.writes.length, 0, "nothing is written before the connection opens");

    socket.accept(BIG_GRANT);
    assert.deepStrictEqual(socket.take(), [{
      type: "connect",
      protocolLevel: 4,
      clientId: "sensor-42",
      cleanSession: false,
      keepalive: 30,
      will: { topic: "devices/sensor-42/status", payload: text("offline"), qos: 1, retain: true },
      username: "device-user",
      password: text("device-password"),
    }]);
    assert.equal(client.state, "connecting", "still connecting until CONNACK");
  });

  it("defaults: port 1883, clean session, keepalive 60 s, no Will, no credentials", () => {
    const { client } = setup();
    client.start();
    const socket = FakeSocket.last;
    assert.equal(socket.options.port, 1883);
    socket.accept(BIG_GRANT);
    assert.deepStrictEqual(socket.take(), [{ type: "connect", protocolLevel: 4, clientId: "sensor-1", cleanSession: true, keepalive: 60 }]);
  });

  it("a Will at QoS 0 without retain, a binary payload and a binary password go out as given", () => {
    const { client } = setup({
      keepalive: 0,
      will: { topic: "w", payload: new Uint8Array([0, 255, 7]) },
      username: "u",
      password: new Uint8Array([1, 2, 3]),
    });
    client.start();
    FakeSocket.last.accept(BIG_GRANT);
    assert.deepStrictEqual(FakeSocket.last.take(), [{
      type: "connect", protocolLevel: 4, clientId: "sensor-1", cleanSession: true, keepalive: 0,
      will: { topic: "w", payload: new Uint8Array([0, 255, 7]), qos: 0, retain: false },
      username: "u", password: new Uint8Array([1, 2, 3]),
    }]);
  });

  it("start() twice throws", () => {
    const { client } = setup();
    client.start();
    assert.throws(() => client.start(), Error);
    assert.equal(FakeSocket.all.length, 1);
  });
});

describe("client: bad options throw at construction, naming the field", () => {
  const bad = (value: unknown) => value as never;
  const cases: [string, Partial<ClientOptions>, typeof TypeError | typeof RangeError, string][] = [
    ["socket without io", { socket: bad({}) }, TypeError, "socket"],
    ["empty address", { address: "" }, TypeError, "address"],
    ["client id not a string", { clientId: bad(42) }, TypeError, "clientId"],
    ["client id with U+0000", { clientId: "a\u0000b" }, TypeError, "clientId"],
    ["timers missing", { timers: bad(undefined) }, TypeError, "timers"],
    ["port 0", { port: 0 }, RangeError, "port"],
    ["port 65536", { port: 65536 }, RangeError, "port"],
    ["keepalive -1", { keepalive: -1 }, RangeError, "keepalive"],
    ["keepalive 65536", { keepalive: 65536 }, RangeError, "keepalive"],
    ["keepalive 1.5", { keepalive: 1.5 }, RangeError, "keepalive"],
    ["cleanSession not a boolean", { cleanSession: bad("yes") }, TypeError, "cleanSession"],
    ["will topic with a wildcard", { will: { topic: "devices/+/status", payload: "x" } }, TypeError, "will.topic"],
    ["empty will topic", { will: { topic: "", payload: "x" } }, TypeError, "will.topic"],
    ["will qos 3", { will: { topic: "w", payload: "x", qos: bad(3) } }, RangeError, "will.qos"],
    ["will payload a number", { will: { topic: "w", payload: bad(42) } }, TypeError, "will.payload"],
    ["will retain not a boolean", { will: { topic: "w", payload: "x", retain: bad("yes") } }, TypeError, "will.retain"],
    ["birth topic with a wildcard", { birth: { topic: "devices/#", payload: "online" } }, TypeError, "birth.topic"],
    ["birth qos 3", { birth: { topic: "b", payload: "online", qos: bad(3) } }, RangeError, "birth.qos"],
    ["birth payload a number", { birth: { topic: "b", payload: bad(1) } }, TypeError, "birth.payload"],
    ["birth retain not a boolean", { birth: { topic: "b", payload: "online", retain: bad("yes") } }, TypeError, "birth.retain"],
    ["username not a string", { username: bad(7) }, TypeError, "username"],
    ["username with U+0000", { username: "us\u0000er" }, TypeError, "username"],
    ["password without username", { password: "secret" }, TypeError, "password"],
    ["password a number", { username: "u", password: bad(1234) }, TypeError, "password"],
    ["inflightWindow 0", { inflightWindow: 0 }, RangeError, "inflightWindow"],
    ["outbox.messages below inflightWindow", { inflightWindow: 5, outbox: { messages: 4 } }, RangeError, "outbox.messages"],
    ["reconnect.initialDelay 0", { reconnect: { initialDelay: 0 } }, RangeError, "reconnect.initialDelay"],
    ["reconnect.maxDelay below initialDelay", { reconnect: { initialDelay: 5000, maxDelay: 1000 } }, RangeError, "reconnect.maxDelay"],
    ["reconnect.stableAfter negative", { reconnect: { stableAfter: -1 } }, RangeError, "reconnect.stableAfter"],
    ["connectTimeout 0", { connectTimeout: 0 }, RangeError, "connectTimeout"],
    ["maxPacketSize 1", { maxPacketSize: 1 }, RangeError, "maxPacketSize"],
  ];
  for (const [name, options, type, field] of cases) {
    it(`${name} -> ${type.name} naming ${field}`, () => {
      let thrown: unknown;
      try {
        setup(options);
      }
      catch (error) {
        thrown = error;
      }
      assert.ok(thrown instanceof Error, "the constructor did not throw");
      assert.equal(thrown.constructor, type, `expected ${type.name}, got ${thrown.constructor.name}: ${thrown.message}`);
      assert.ok(thrown.message.includes(field), `message ${JSON.stringify(thrown.message)} does not name ${field}`);
      assert.equal(FakeSocket.all.length, 0, "no socket is opened for a client that was never built");
    });
  }
});

describe("client: credentials never appear in errors", () => {
  const username = "user-Zq81xK";
  const password = "pw-Hv93nT";
  const secretBytes = new Uint8Array([0xc3, 0x28, 0x51, 0x58]); // distinctive, not UTF-8

  function assertNoSecrets(error: unknown): void {
    const all = everything(error);
    assert.ok(!all.includes(username), `the user name shows in ${JSON.stringify(all)}`);
    assert.ok(!all.includes(password), `the password shows in ${JSON.stringify(all)}`);
    assert.ok(!all.includes("Zq81xK") && !all.includes("Hv93nT"), `part of a credential shows in ${JSON.stringify(all)}`);
  }

  const throwing: [string, Partial<ClientOptions>][] = [
    ["username with U+0000", { username: `${username}\u0000`, password }],
    ["username too long", { username: username + "x".repeat(70_000), password }],
    ["username with a lone surrogate", { username: `${username}\ud800`, password }],
    ["password without username", { password }],
    ["password of the wrong type", { username, password: [1, 2] as never }],
    ["password too long", { username, password: password + "y".repeat(70_000) }],
    ["bad will topic alongside credentials", { username, password, will: { topic: "a/#", payload: "x" } }],
    ["bad keepalive alongside credentials", { username, password, keepalive: 1e6 }],
  ];
  for (const [name, options] of throwing) {
    it(`construction error (${name}) shows neither credential`, () => {
      assert.throws(() => setup(options), (error: unknown) => {
        assertNoSecrets(error);
        return true;
      });
    });
  }

  for (const code of [4, 5]) {
    it(`CONNACK ${code}: the error passed to onError shows neither credential`, () => {
      const { client, events } = setup({ username, password });
      client.start();
      const socket = FakeSocket.last;
      socket.accept(BIG_GRANT);
      socket.take();
      socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: code }));
      assert.equal(events.errors.length, 1);
      assert.ok(events.errors[0] instanceof ConnectionRefusedError);
      for (const error of events.errors) assertNoSecrets(error);
    });
  }

  it("a binary password is not shown either (CONNACK 4)", () => {
    const { client, events } = setup({ username, password: secretBytes });
    client.start();
    FakeSocket.last.accept(BIG_GRANT);
    FakeSocket.last.deliver(encode({ type: "connack", sessionPresent: false, returnCode: 4 }));
    const all = events.errors.map(everything).join("\n");
    assert.equal(events.errors.length, 1);
    const buffer = Buffer.from(secretBytes);
    for (const form of [Array.from(secretBytes).join(","), buffer.toString("hex"), buffer.toString("base64"), buffer.toString("latin1"), buffer.toString("utf8")])
      assert.ok(!all.includes(form), `the password shows as ${JSON.stringify(form)} in ${JSON.stringify(all)}`);
  });
});

describe("client: CONNACK accepted (3.2)", () => {
  for (const sessionPresent of [false, true]) {
    it(`onConnect reports sessionPresent ${sessionPresent}; state connected; stats.connects counts`, () => {
      const { client, events } = setup({ cleanSession: !sessionPresent });
      client.start();
      assert.deepEqual(events.connects, []);
      connect(sessionPresent);
      assert.deepEqual(events.connects, [{ sessionPresent }]);
      assert.equal(client.state, "connected");
      assert.equal(client.stats.connects, 1);
      assert.equal(client.stats.disconnects, 0);
      assert.deepEqual(events.errors, []);
    });
  }

  for (const qos of [0, 1] as const) {
    it(`the birth message (QoS ${qos}) is the first PUBLISH after CONNACK, before messages queued earlier`, async () => {
      const { client, events } = setup({ birth: { topic: "devices/sensor-1/status", payload: "online", qos, retain: true } });
      const queued = [client.publish("t/a", "first", { qos: 1 }), client.publish("t/b", "second", { qos: 1 })];
      client.start();
      const socket = connect();
      const sent = socket.take();
      assert.ok(sent.every((p) => p.type === "publish"), `only PUBLISH expected, got ${sent.map((p) => p.type)}`);
      const list = publishes(sent);
      assert.deepEqual(list.map((p) => p.topic), ["devices/sensor-1/status", "t/a", "t/b"]);
      const birth = list[0];
      assert.deepEqual(birth.payload, text("online"));
      assert.equal(birth.qos, qos);
      assert.equal(birth.retain, true);
      assert.equal(birth.dup, false);
      assert.equal(birth.packetId === undefined, qos === 0);
      assert.equal(events.connects.length, 1);
      for (const p of list.slice(1)) socket.deliver(encode({ type: "puback", packetId: p.packetId! }));
      await Promise.all(queued);
    });
  }
});

describe("client: CONNACK refused (3.2.2.3)", () => {
  const reasons: [number, RefusalReason][] = [
    [1, "unacceptable-protocol-version"],
    [2, "identifier-rejected"],
    [3, "server-unavailable"],
    [4, "bad-username-or-password"],
    [5, "not-authorized"],
  ];
  for (const [code, reason] of reasons) {
    it(`return code ${code} -> ConnectionRefusedError "${reason}", link closed, reconnect after backoff`, () => {
      const { client, timers, events } = setup({ random: () => 0.5, reconnect: { initialDelay: 1000 } });
      client.start();
      const socket = FakeSocket.last;
      socket.accept(BIG_GRANT);
      socket.take();
      socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: code }));

      assert.equal(events.errors.length, 1);
      const error = events.errors[0];
      assert.ok(error instanceof ConnectionRefusedError, `got ${String(error)}`);
      assert.equal(error.reason, reason);
      assert.equal(error.returnCode, code);
      assert.equal(error.name, "ConnectionRefusedError");
      assert.deepEqual(events.connects, [], "a refused connection is not a connection");
      assert.deepEqual(events.disconnects, [], "nothing was connected, so nothing disconnects");
      assert.equal(client.state, "waiting");
      assert.equal(client.stats.connects, 0);
      assert.equal(client.stats.disconnects, 1);
      assert.equal(socket.closed, true, "the client closes the refused link");
      assert.deepEqual(socket.take(), [], "nothing more is sent on a refused link");

      // Full jitter with random() = 0.5 under a 1000 ms ceiling: 500 ms.
      timers.advance(499);
      assert.equal(FakeSocket.all.length, 1, "no new attempt before the backoff delay");
      timers.advance(1);
      assert.equal(FakeSocket.all.length, 2, "a new attempt after the backoff delay");
      assert.equal(client.state, "connecting");
      connect();
      assert.equal(client.state, "connected");
      assert.equal(events.connects.length, 1);
    });
  }
});

describe("client: connect timeout", () => {
  it("socket open but no CONNACK within connectTimeout -> TimeoutError connect-timeout, then a reconnect", () => {
    const { client, timers, events } = setup({ connectTimeout: 5000, random: () => 0.5, reconnect: { initialDelay: 1000 } });
    client.start();
    const socket = FakeSocket.last;
    socket.accept(BIG_GRANT);
    assert.deepEqual(socket.take().map((p) => p.type), ["connect"]);
    timers.advance(4999);
    assert.equal(client.state, "connecting");
    assert.equal(events.errors.length, 0);
    timers.advance(1);
    assert.equal(events.errors.length, 1);
    const error = events.errors[0];
    assert.ok(error instanceof TimeoutError, `got ${String(error)}`);
    assert.equal(error.reason, "connect-timeout");
    assert.equal(client.state, "waiting");
    assert.equal(socket.closed, true);
    assert.deepEqual(events.disconnects, []);
    timers.advance(500);
    assert.equal(FakeSocket.all.length, 2);
    connect();
    assert.equal(client.state, "connected");
  });

  it("a socket that never opens times out the same way", () => {
    const { client, timers, events } = setup({ connectTimeout: 3000 });
    client.start();
    timers.advance(3000);
    assert.equal(events.errors.length, 1);
    assert.ok(events.errors[0] instanceof TimeoutError);
    assert.equal((events.errors[0] as TimeoutError).reason, "connect-timeout");
    assert.equal(FakeSocket.all[0].closed, true);
  });

  it("a CONNACK just in time cancels the timeout", () => {
    const { client, timers, events } = setup({ connectTimeout: 5000, keepalive: 0 });
    client.start();
    const socket = FakeSocket.last;
    socket.accept(BIG_GRANT);
    socket.take();
    timers.advance(4999);
    socket.deliver(encode({ type: "connack", sessionPresent: false, returnCode: 0 }));
    timers.advance(60_000);
    assert.equal(client.state, "connected");
    assert.deepEqual(events.errors, []);
    assert.equal(FakeSocket.all.length, 1);
  });

  it("a socket refused by the network (error before open) is a LinkError \"socket\" and is retried", () => {
    const { client, timers, events } = setup({ random: () => 0 });
    client.start();
    FakeSocket.last.fail("connection refused");
    assert.equal(events.errors.length, 1);
    assert.ok(events.errors[0] instanceof LinkError);
    assert.equal((events.errors[0] as LinkError).reason, "socket");
    assert.equal(client.state, "waiting");
    timers.advance(0);
    assert.equal(FakeSocket.all.length, 2);
  });
});
