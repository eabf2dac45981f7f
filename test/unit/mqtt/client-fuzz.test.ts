/*
 * Fuzz the client with random and mutated broker byte streams (the codec
 * fuzzer's generator, fixed seed), in random chunkings, while the
 * application publishes and subscribes: nothing may escape the socket
 * callbacks, the client must keep a valid state and keep reconnecting, and
 * the outbox must stay within its limits. FUZZ_RUNS raises the count.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encode } from "../../../src/mqtt/encoder";
import { BIG_GRANT, setup } from "../../helpers/client-harness";
import { FakeSocket } from "../../helpers/fake-socket";
import { streamSource } from "./fuzz";
import { randomChunks } from "./random";

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x636c6e74); // "clnt"

describe("client fuzz", () => {
  it(`survives ${RUNS.toLocaleString("en")} random and mutated broker streams`, { timeout: 180_000 }, () => {
    FakeSocket.reset();
    const { random, int, makeStream, kinds } = streamSource(SEED);
    const { client, timers, events } = setup({ random, keepalive: 5, inflightWindow: 4, outbox: { messages: 20 } });
    client.start();
    const states = new Set<string>();
    let delivered = 0, closedLinks = 0;
    for (let run = 0; run < RUNS; run++) {
      // Get a connection whenever the last one was closed.
      for (let guard = 0; client.state !== "connected"; guard++) {
        assert.ok(guard < 10, `no connection after ${guard} attempts (state ${client.state})`);
        const latest = FakeSocket.all.at(-1);
        if (client.state === "connecting" && latest && !latest.opened && !latest.closed) {
          latest.accept(BIG_GRANT);
          latest.take();
          latest.deliver(encode({ type: "connack", sessionPresent: random() < 0.5, returnCode: 0 }));
        }
        else timers.advanceTo(timers.next ?? timers.now());
      }
      const socket = FakeSocket.last;
      if (random() < 0.2) void client.publish("fuzz/t", "x", { qos: (int(3) as 0 | 1 | 2) }).catch(() => undefined);
      if (random() < 0.02) void client.subscribe("fuzz/#", { qos: 1 }).catch(() => undefined);
      const stream = makeStream(kinds[run % kinds.length]);
      for (const chunk of randomChunks(stream, random)) {
        socket.deliver(chunk); // must never throw
        if (client.state !== "connected") break;
      }
      socket.take();
      if (client.state !== "connected") closedLinks++;
      else delivered++;
      states.add(client.state);
      assert.ok(client.pending <= 20, `outbox over its limit: ${client.pending}`);
      if (random() < 0.01) timers.advance(int(10_000)); // let keepalive and timeouts run too
    }
    assert.ok(closedLinks > RUNS / 10, `malformed streams closed links (${closedLinks})`);
    assert.ok(delivered > RUNS / 10, `valid streams kept links (${delivered})`);
    assert.ok(events.errors.every((e) => e instanceof Error && e.message.length > 0));
    assert.ok(!events.errors.some((e) => /threw/.test(e.message)), "no callback threw");
  });
});
