/*
 * OTA benchmark: the update agent's memory and compute on the real XS engine
 * (the bench firmware tools/bench/xs-ota-entry.ts on the XS host). Figures
 * are the engine's own meters (see tools/bench/xs.ts): live heap slots after
 * forced collections before, halfway through and after streaming an image
 * over HTTP into the hash (what a download in flight costs, and that nothing
 * of it stays afterwards), and XS compute per P-256 verification and per KiB
 * of SHA-256. The worker meters slots, not chunk memory (buffer bytes).
 */

import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ROOT } from "../../sim/firmware-modules";
import { XSHost } from "../../sim/xs/bridge-host";
import type { Meter } from "../../sim/xs/worker";
import { generateSigningKey, signBytes } from "../ota/keys";
import type { BenchOptions, BenchResult, Row } from "./common";
import { checkBenchEntry } from "./xs-bundle";
import { benchLines, meterDeliveries, runBenchFirmware, PRESSURE_BUFFERS, PRESSURE_BYTES, SLOT_BYTES, traceLines } from "./xs-meter";

/** Bytes per XS slot on the boards (32-bit: txSlot is four 4-byte words). */
const BOARD_SLOT_BYTES = 16;
/** The Pico's whole XS machine, KiB: creation.static 131072 in the SDK's build/devices/pico/manifest.json. */
const PICO_XS_KIB = 128;

export async function otaBench({ quick, progress }: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const size = quick ? 256 * 1024 : 1024 * 1024;
  const image = randomBytes(size);
  const server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Length": size, "Content-Type": "application/octet-stream" });
    response.end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const key = generateSigningKey("bench");
  const message = randomBytes(200);
  const verifies = quick ? 5 : 20;
  const hashKiB = quick ? 256 : 1024;
  const config = {
    "bench.url": `http://127.0.0.1:${(server.address() as AddressInfo).port}/image.bin`,
    "bench.size": size,
    "bench.sha256": createHash("sha256").update(image).digest("hex"),
    "bench.pressure": PRESSURE_BUFFERS,
    "bench.verifies": verifies,
    "bench.hashKiB": hashKiB,
    "bench.publicKey": key.publicHex,
    "bench.message": message.toString("hex"),
    "bench.signature": signBytes(message, key.privateKey).toString("hex"),
  };

  const heap = new Map<string, { slots: number; allocate: number }>();
  const compute: Record<string, number> = {};
  /** The bench lines of the delivery under way, as [what, rest]. */
  let pending: [string, string][] = [];
  let done = false;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
  const onLine = benchLines(progress, (what, rest) => {
    if (what === "error") fail(new Error(`OTA bench firmware on XS: ${rest}`));
    else if (what === "done") done = true;
    else pending.push([what, rest]);
  });
  const host = new XSHost({
    config, entry: checkBenchEntry(join(ROOT, "tools/bench/xs-ota-entry.ts")), stdio: "inherit",
    trace: traceLines(onLine), onCrash: (error) => fail(error),
  });
  meterDeliveries(host, (meter: Meter) => {
    for (const [what, rest] of pending) {
      const label = rest.split(" ")[0];
      if (what === "heap") {
        heap.set(label, { slots: meter.currentHeapCount, allocate: meter.allocate });
        progress.line(`heap ${label} the download: ${meter.currentHeapCount.toLocaleString("en-US")} slots after a forced collection, ${(meter.allocate / 2 ** 20).toFixed(1)} MiB reserved`);
      }
      // The verifications and the hashing each run alone in one delivery: its compute is theirs (and a trace call's).
      if ((what === "verify" || what === "hash") && label === "end") compute[what] = meter.compute;
      if (what === "download") progress.line(`download ${rest}`);
    }
    pending = [];
    // After the meter of the delivery that said "done": its figures are in.
    if (done) finish();
  });

  try {
    await runBenchFirmware(host, finished, 300_000, "OTA bench");
  }
  finally {
    server.close();
  }

  progress.line("the whole firmware loaded at run time, and the same start-up without it");
  const loaded = await heapAtStart(join(ROOT, "tools/bench/xs-footprint-entry.ts"), progress);
  const base = await heapAtStart(join(ROOT, "tools/bench/xs-footprint-base-entry.ts"), progress);
  const firmwareSlots = loaded.slots - base.slots;

  const before = heap.get("before"), halfway = heap.get("halfway"), after = heap.get("after");
  if (!before || !halfway || !after || compute.verify === undefined || compute.hash === undefined) throw new Error("OTA bench: checkpoints missing");
  const confirmed = [before, halfway, after].every((mark) => mark.allocate < PRESSURE_BYTES);
  // Noise of one reading, as in tools/bench/xs.ts: the pressure buffers allocated after the last collection.
  const tolerance = 32;
  const left = after.slots - before.slots;
  const kib = (slots: number) => `${((slots * SLOT_BYTES) / 1024).toFixed(0)} KiB`;
  const rows: Row[] = [
    { metric: "heap before the download (live slots)", ours: before.slots, unit: "slots", note: kib(before.slots) },
    { metric: "heap halfway through the download (live slots)", ours: halfway.slots, unit: "slots", note: kib(halfway.slots) },
    { metric: "heap after the download (live slots)", ours: after.slots, unit: "slots", note: kib(after.slots) },
    {
      metric: `a ${size / 1024} KiB download in flight (slots over before)`, ours: halfway.slots - before.slots, unit: "slots",
      note: `${kib(halfway.slots - before.slots)}: downloader, hash, socket and the read in hand, whatever the image's size`,
    },
    {
      metric: "heap left after the download (slots over before)", ours: left, unit: "slots",
      targetText: `≤ ${tolerance} (none)`, met: left <= tolerance && confirmed,
      note: `engine reserve ${(before.allocate / 2 ** 20).toFixed(1)} -> ${(after.allocate / 2 ** 20).toFixed(1)} MiB${confirmed ? "" : "; collection not confirmed"}`,
    },
    {
      metric: "the whole firmware loaded at run time, started (live slots)", ours: firmwareSlots, unit: "slots",
      note: `${kib(firmwareSlots)} here; ${((firmwareSlots * BOARD_SLOT_BYTES) / 1024).toFixed(0)} KiB at ${BOARD_SLOT_BYTES} bytes a slot on a 32-bit board, against the ${PICO_XS_KIB} KiB XS machine of a Pico W`,
    },
    { metric: "XS compute per P-256 signature verification", ours: compute.verify / verifies, unit: "", note: `${verifies} verifications in one delivery` },
    { metric: "XS compute per KiB of SHA-256", ours: compute.hash / hashKiB, unit: "", note: `${hashKiB} KiB in 1460-byte pieces` },
  ];
  const notes = [
    `the bench firmware (tools/bench/xs-ota-entry.ts) streams a ${size / 1024} KiB image over HTTP from this process with the agent's HttpDownload and SHA-256, counting the bytes a slot would take; heap = live XS slots (${SLOT_BYTES} bytes each) after collections forced by ${PRESSURE_BYTES / 2 ** 20} MiB of ArrayBuffer garbage, read before, halfway and after`,
    `run-time footprint: the bench firmware tools/bench/xs-footprint-entry.ts loads the simulated board and the whole firmware (src/main.ts) and starts it (its broker not up), then reads the live heap as above; tools/bench/xs-footprint-base-entry.ts does the same without the firmware, and the row is the difference. The XS host does not preload, so every module's functions, classes and tables are in the heap: what a board must hold in RAM to load the firmware at run time, as a Moddable mod that replaces it would be loaded. A device build preloads them into flash instead. Pico W: its XS machine has ${PICO_XS_KIB} KiB in all (the SDK's build/devices/pico/manifest.json, creation.static), so the firmware cannot be replaced by a mod there (README, "Updates over the air")`,
    "compute = the worker's instruction meter for the delivery that ran the verifications or the hashing; deterministic, independent of machine load; no peer: the SDK's native crypt modules are not available on the XS host",
  ];
  return { name: "ota", title: "XS engine: update agent memory and crypto (XS host)", rows, notes, seconds: (performance.now() - started) / 1000 };
}

/** Live heap (slots after a forced collection) on the first turn after `entry` has loaded and started. */
async function heapAtStart(entry: string, progress: BenchOptions["progress"]): Promise<{ slots: number; allocate: number }> {
  let reading: { slots: number; allocate: number } | undefined;
  let marked = false, done = false;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
  const onLine = benchLines(progress, (what) => {
    if (what === "heap") marked = true;
    else if (what === "done") done = true;
  });
  // A broker nobody listens on: the firmware starts as on a board whose broker is not up yet.
  const host = new XSHost({
    config: { "bench.pressure": PRESSURE_BUFFERS, broker: "mqtt://127.0.0.1:1" }, entry: checkBenchEntry(entry), stdio: "inherit",
    trace: traceLines((line) => { if (line.startsWith("BENCH ")) onLine(line); }), onCrash: (error) => fail(error),
  });
  meterDeliveries(host, (meter: Meter) => {
    if (marked && !reading) reading = { slots: meter.currentHeapCount, allocate: meter.allocate };
    if (done && reading) finish();
  });
  await runBenchFirmware(host, finished, 60_000, "footprint bench");
  return reading!;
}
