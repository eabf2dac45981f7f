/*
 * Nothing accepted is lost to a reboot: readings taken while the broker is
 * unreachable are kept in the device's storage (preference), and after the
 * firmware is killed and started again on the same storage they arrive, with
 * the time they were taken.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { freePort } from "../../tools/brokers";
import { startRealBroker, temporaryDirectory } from "../helpers/brokers";
import { Device } from "../helpers/device";
import { Subscriber } from "../helpers/subscriber";

for (const host of ["node", "xs"] as const) {
  describe(`reboot with readings waiting (${host} host)`, () => {
    it("sends readings taken offline before the power was cut", async () => {
      const port = await freePort(); // nothing listens here yet: the broker is "down"
      const storage = temporaryDirectory(`reboot-${host}`);
      const config = { broker: `mqtt://127.0.0.1:${port}`, deviceId: `reboot-${host}`, interval: 200 };
      const first = new Device(host, config, storage);
      await first.waitForLine(/cannot connect/);
      await new Promise((resolve) => setTimeout(resolve, 1200)); // several readings wait in the outbox
      const cutAt = Date.now();
      await first.kill();

      const broker = await startRealBroker({ port });
      const subscriber = await Subscriber.connect(broker.url, `home/reboot-${host}/temperature`);
      const second = new Device(host, config, storage);
      try {
        await second.waitForLine(/messages kept from before the restart will be sent/);
        const old = await subscriber.waitFor((m) => JSON.parse(m.payload).ts < cutAt, 10_000, "a reading from before the cut");
        // Kept readings go out first, in order; once a new one arrives, all the old ones have.
        await subscriber.waitFor((m) => JSON.parse(m.payload).ts > cutAt, 10_000, "a reading after the restart");
        const before = subscriber.messages.filter((m) => JSON.parse(m.payload).ts < cutAt).map((m) => JSON.parse(m.payload).seq as number);
        assert.ok(before.length >= 3, `several readings from the first boot arrive (${before.length})`);
        assert.deepEqual(before, [...before].sort((a, b) => a - b), "in the order they were taken");
        assert.equal(JSON.parse(old.payload).seq, 1, "the first reading of the first boot is among them");
      }
      finally {
        await second.kill();
        await subscriber.close();
        await broker.stop();
      }
    });
  });
}
