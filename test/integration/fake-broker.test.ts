/*
 * The firmware (Node host, a real process) against a broker that misbehaves
 * on purpose, which mosquitto and aedes cannot be made to do: malformed
 * bytes, withheld PUBACK, withheld PINGRESP, refused credentials. The
 * firmware must log a clear reason, never crash, and reconnect.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PublishPacket } from "../../src/mqtt/packets";
import { Device } from "../helpers/device";
import { acceptConnect, FakeBroker } from "../helpers/fake-broker";

describe("firmware against a misbehaving broker (fake: real brokers cannot misbehave on purpose)", () => {
  it("closes on malformed bytes with the reason, and reconnects", async () => {
    const broker = await FakeBroker.start((packet, connection) => {
      if (acceptConnect(packet, connection) && connection.index === 0) connection.send(new Uint8Array([0xf0, 0x00]));
    });
    const device = new Device("node", { broker: broker.url, interval: 60_000 });
    try {
      await device.waitForLine(/mqtt: malformed packet: packet type 15 is reserved/);
      await broker.waitForConnections(2);
      assert.equal(device.boots, 1, "still running, never restarted");
    }
    finally {
      await device.kill();
      await broker.stop();
    }
  });

  it("resends an unacknowledged reading after reconnecting: same packet id, DUP set", async () => {
    const broker = await FakeBroker.start((packet, connection) => {
      acceptConnect(packet, connection);
      // First connection: withhold PUBACK, then drop the link. Later: acknowledge.
      if (packet.type === "publish" && packet.topic.endsWith("/temperature")) {
        if (connection.index === 0) setTimeout(() => connection.close(), 300);
        else connection.send({ type: "puback", packetId: packet.packetId! });
      }
      else if (packet.type === "publish" && packet.qos === 1) connection.send({ type: "puback", packetId: packet.packetId! });
    });
    const device = new Device("node", { broker: broker.url, interval: 60_000 });
    try {
      await broker.waitForConnections(2);
      const deadline = Date.now() + 5000;
      const readings = (i: number) => broker.connections[i].received.filter((p): p is PublishPacket => p.type === "publish" && p.topic.endsWith("/temperature"));
      while (readings(1).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const [first] = readings(0);
      const [again] = readings(1);
      assert.ok(first && again, "the reading was sent on both connections");
      assert.deepEqual([again.packetId, again.dup, new TextDecoder().decode(again.payload)], [first.packetId, true, new TextDecoder().decode(first.payload)]);
    }
    finally {
      await device.kill();
      await broker.stop();
    }
  });

  it("drops a link whose PINGRESP never comes within 1.5 x keepalive, and reconnects", async () => {
    const broker = await FakeBroker.start((packet, connection) => {
      acceptConnect(packet, connection);
      if (packet.type === "publish" && packet.qos === 1) connection.send({ type: "puback", packetId: packet.packetId! });
      // PINGREQ: no answer.
    });
    const device = new Device("node", { broker: broker.url, keepalive: 1, interval: 60_000 });
    try {
      await broker.waitForConnections(1);
      const connectedAt = Date.now();
      await device.waitForLine(/mqtt: no answer from the broker within 1.5 s; the link is half-open/, 5000);
      assert.ok(Date.now() - connectedAt < 2500, "detected within 1.5 x keepalive (plus process latency)");
      assert.ok(broker.connections[0].received.some((p) => p.type === "pingreq"));
      await broker.waitForConnections(2);
    }
    finally {
      await device.kill();
      await broker.stop();
    }
  });

  it("reports refused credentials clearly, never showing them, and keeps retrying", async () => {
    const broker = await FakeBroker.start((packet, connection) => {
      if (packet.type === "connect") connection.send({ type: "connack", sessionPresent: false, returnCode: 4 });
    });
    const device = new Device("node", { broker: broker.url, interval: 60_000, "mqtt.username": "alice", "mqtt.password": "s3cret-Pa55" });
    try {
      await device.waitForLine(/mqtt: connection refused: the broker refused the user name or password/);
      await broker.waitForConnections(2);
      const connect = broker.connections[0].received[0];
      assert.equal(connect.type === "connect" && connect.username, "alice", "the credentials were sent");
      assert.ok(!device.lines.some((line) => line.includes("s3cret-Pa55") || line.includes("alice")), "never logged");
    }
    finally {
      await device.kill();
      await broker.stop();
    }
  });
});
