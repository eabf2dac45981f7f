/*
 * Fuzz PacketReader with random and mutated byte streams in random chunkings
 * (fixed seed). The work runs in a worker thread so that a hang fails the
 * test instead of stalling the run. Environment:
 *   FUZZ_RUNS  number of streams (default 100,000)
 *   FUZZ_SEED  seed (default fixed)
 *   FUZZ_TIME_LIMIT_MS  how long to wait for the worker before calling it a hang
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";

import type { FuzzReport, WorkerMessage } from "./fuzz";

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x4d515454); // "MQTT"
/** Generous (about 9 s per 100,000 streams on a 2-core machine); a hang trips it. */
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? Math.max(120_000, (RUNS / 100_000) * 120_000));

function runInWorker(runs: number, seed: number): Promise<{ report?: FuzzReport; lastProgress: number; timedOut: boolean }> {
  const target = new URL("./fuzz.ts", import.meta.url).href;
  // The worker loads the TypeScript module through tsx, as the test runner does.
  const code = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((api) => api.tsImport(${JSON.stringify(target)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(code, { eval: true, workerData: { fuzz: true, runs, seed } });
  return new Promise((resolve, reject) => {
    let lastProgress = 0;
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ lastProgress, timedOut: true });
    }, TIME_LIMIT_MS);
    worker.on("message", (message: WorkerMessage) => {
      if (message.kind === "progress") lastProgress = message.done;
      else {
        clearTimeout(timer);
        void worker.terminate();
        resolve({ report: message.report, lastProgress, timedOut: false });
      }
    });
    worker.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    worker.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`fuzz worker exited with code ${code} before reporting`));
    });
  });
}

describe("PacketReader fuzz", () => {
  it(`${RUNS} random and mutated streams end in packets or a MalformedPacketError (seed ${SEED})`, { timeout: TIME_LIMIT_MS + 30_000 }, async (t) => {
    const started = Date.now();
    const { report, lastProgress, timedOut } = await runInWorker(RUNS, SEED);
    assert.ok(!timedOut, `no report within ${TIME_LIMIT_MS} ms: a hang (or a crawl) somewhere after stream ${lastProgress} (seed ${SEED})`);
    assert.ok(report);
    if (report.failure) {
      const f = report.failure;
      assert.fail(
        `${f.problem}\n  mutation: ${f.kind}\n  stream: ${f.stream}\n  chunk sizes: ${f.chunkSizes.join(",")}\n  maxPacketSize: ${String(f.maxPacketSize)}`,
      );
    }
    const { packets, incomplete, malformed } = report.outcomes;
    assert.equal(packets + incomplete + malformed, RUNS);
    t.diagnostic(`${RUNS} streams in ${Date.now() - started} ms: ${packets} ended in packets, ${incomplete} with a packet pending, ${malformed} malformed; ${report.packetsDecoded} packets decoded`);
    t.diagnostic(`malformed reasons: ${JSON.stringify(report.reasons)}`);
    for (const [kind, counts] of Object.entries(report.kinds)) t.diagnostic(`  ${kind}: ${JSON.stringify(counts)}`);

    assert.ok(packets > 0, "no stream decoded cleanly");
    assert.ok(malformed > 0, "no stream was refused");
    assert.ok(report.packetsDecoded > RUNS / 10, `only ${report.packetsDecoded} packets decoded`);
    // Every kind of mutation gets refused somewhere, and at full size the streams reach every rejection rule.
    for (const [kind, counts] of Object.entries(report.kinds)) assert.ok(counts.malformed > 0, `${kind} never produced a malformed stream`);
    assert.ok(report.kinds.valid.packets > 0 && report.kinds.bitflip.packets > 0);
    if (RUNS >= 100_000) {
      for (const reason of ["packet-type", "flags", "remaining-length", "too-large", "truncated", "trailing-bytes", "utf8", "topic", "qos", "packet-id", "protocol", "connect-flags", "connack-flags", "return-code", "empty-list"]) {
        assert.ok((report.reasons[reason] ?? 0) > 0, `no stream was refused for ${reason}`);
      }
    }
  });
});
