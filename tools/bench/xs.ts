/*
 * XS benchmark: the MQTT client on the real XS engine (the XS host,
 * sim/xs/bridge-host.ts), publishing QoS 1 to the broker from the bench
 * firmware tools/bench/xs-publish-entry.ts. Reports the engine's own,
 * deterministic meters, not speed: the XS host's TCP bridge makes a round
 * trip to Node for every socket read and write, so messages per second here
 * say nothing about a device.
 *
 * The xsnap worker reports a meter with the reply to every delivery (an
 * event the host hands to the engine): `compute` (XS's instruction meter for
 * that delivery), `currentHeapCount` (heap slots in use when it ended,
 * garbage included until a collection) and `allocate` (bytes the engine has
 * reserved). This wraps the host's worker to see every delivery's meter and
 * attributes it to the phase the bench firmware announced in its trace
 * ("BENCH ..." lines): compute per message is the sum over the deliveries of
 * the publishing phase divided by the messages acknowledged in it; heap
 * figures are the meters of the deliveries right after a forced collection
 * (see `checkpoint` in the entry).
 */

import { join } from "node:path";
import { ROOT } from "../../sim/firmware-modules";
import { XSHost } from "../../sim/xs/bridge-host";
import type { Meter } from "../../sim/xs/worker";
import { startBenchBroker } from "./broker";
import type { BenchOptions, BenchResult, Row } from "./common";
import { checkBenchEntry } from "./xs-bundle";
import { benchLines, PRESSURE_BUFFERS, runBenchFirmware, PRESSURE_BYTES, SLOT_BYTES, traceLines } from "./xs-meter";

type Phase = "setup" | "publish" | "idle" | "loopback";

interface Bucket {
  compute: number;
  deliveries: number;
}

interface HeapMark {
  label: string;
  slots: number;
  allocate: number;
  confirmed: boolean;
}

/** The `event` of a frame the host delivers (u32 header length, header JSON, payload). */
function eventOf(message: Uint8Array): unknown {
  const length = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(0);
  return (JSON.parse(Buffer.from(message.buffer, message.byteOffset + 4, length).toString()) as { event?: unknown }).event;
}

export async function xsBench({ quick, progress }: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const { broker, note } = await startBenchBroker(progress);
  const count = quick ? 20_000 : 100_000;
  const stops = quick ? [10_000, 20_000] : [50_000, 100_000];
  const window = 10;
  const loopback = quick ? 5_000 : 20_000;
  const config = {
    "bench.address": "127.0.0.1", "bench.port": broker.port, "bench.count": count, "bench.stops": stops,
    "bench.window": window, "bench.progress": quick ? 5_000 : 10_000, "bench.loopback": loopback,
    "bench.pressure": PRESSURE_BUFFERS,
  };

  let phase: Phase = "setup";
  const buckets: Record<Phase, Bucket> = {
    setup: { compute: 0, deliveries: 0 }, publish: { compute: 0, deliveries: 0 },
    idle: { compute: 0, deliveries: 0 }, loopback: { compute: 0, deliveries: 0 },
  };
  const heap: HeapMark[] = [];
  let pendingHeap: string | undefined;
  let publishedAcked = 0;
  let loopbackAcked = 0;
  let publishMs = 0;
  let publishSince = 0;
  let lastProgress = { at: performance.now(), acked: 0 };
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });

  const onLine = benchLines(progress, (what, rest) => {
    const number = Number(rest.split(" ").at(-1));
    switch (what) {
      case "start":
      case "connected":
        progress.line(`${what} ${rest}`.trim());
        break;
      case "heap":
        pendingHeap = rest;
        break;
      case "publish": {
        const [kind] = rest.split(" ");
        if (kind === "pause") {
          phase = "idle";
          publishMs += performance.now() - publishSince;
          publishedAcked = number;
        }
        else {
          phase = "publish";
          publishSince = performance.now();
          lastProgress = { at: publishSince, acked: number };
        }
        break;
      }
      case "progress": {
        const now = performance.now();
        const rate = ((number - lastProgress.acked) / (now - lastProgress.at)) * 1000;
        lastProgress = { at: now, acked: number };
        progress.line(`${number.toLocaleString("en-US")} / ${count.toLocaleString("en-US")} acknowledged (${Math.round(rate).toLocaleString("en-US")} msgs/s on the XS host)`);
        break;
      }
      case "loopback":
        if (rest.startsWith("start")) { phase = "loopback"; progress.line(`loopback: ${loopback.toLocaleString("en-US")} messages without the bridge`); }
        else { phase = "idle"; loopbackAcked = number; }
        break;
      case "done":
        finish();
        break;
      case "error":
        progress.line(`error: ${rest}`);
        fail(new Error(`bench firmware on XS: ${rest}`));
        break;
      default:
        progress.line(`${what} ${rest}`);
    }
  });

  const host = new XSHost({
    config,
    entry: checkBenchEntry(join(ROOT, "tools/bench/xs-publish-entry.ts")),
    stdio: "inherit",
    trace: traceLines(onLine),
    onCrash: (error) => fail(error),
  });

  // Every delivery's meter, attributed to the phase it ran in (or entered). Socket events
  // belong to the publishing run whenever they arrive: the host queues one per socket
  // callback, so a backlog of them is still being delivered after the run pauses.
  const worker = host.worker;
  const command = worker.command.bind(worker);
  worker.command = async (message: Uint8Array) => {
    const before = phase;
    const socketEvent = eventOf(message) === "tcp";
    const result = await command(message);
    const meter: Meter = result.meter;
    const bucket = before === "publish" || phase === "publish" || (socketEvent && phase !== "loopback") ? "publish"
      : before === "loopback" || phase === "loopback" ? "loopback" : phase;
    buckets[bucket].compute += meter.compute;
    buckets[bucket].deliveries++;
    if (pendingHeap !== undefined) {
      // Without a collection the engine would have had to reserve room for all the garbage; it reserves less in all.
      const confirmed = meter.allocate < PRESSURE_BYTES;
      heap.push({ label: pendingHeap, slots: meter.currentHeapCount, allocate: meter.allocate, confirmed });
      progress.line(`heap after ${pendingHeap === "connect" ? "connect" : `${Number(pendingHeap).toLocaleString("en-US")} messages`}: ${meter.currentHeapCount.toLocaleString("en-US")} slots in use after a forced collection${confirmed ? "" : " (collection NOT confirmed: the reserve exceeds the pressure)"}, ${(meter.allocate / 2 ** 20).toFixed(1)} MiB reserved`);
      pendingHeap = undefined;
    }
    return result;
  };

  try {
    await runBenchFirmware(host, finished, 600_000, "XS bench");
  }
  finally {
    await broker.stop();
  }

  const first = heap.find((mark) => mark.label === "connect");
  const last = heap.at(-1);
  if (!first || !last || last === first) throw new Error("XS bench: heap checkpoints missing");
  const growth = last.slots - first.slots;
  /* Noise of one reading: the slots of the pressure buffers allocated after the last collection (at most 8 x ~3). */
  const tolerance = 32;
  const rows: Row[] = [
    { metric: "heap after connect (live slots)", ours: first.slots, unit: "slots", note: `${(first.slots * SLOT_BYTES / 1024).toFixed(0)} KiB` },
    ...heap.filter((mark) => mark !== first).map((mark): Row => ({
      metric: `heap after ${Number(mark.label).toLocaleString("en-US")} messages (live slots)`, ours: mark.slots, unit: "slots",
      note: `${(mark.slots * SLOT_BYTES / 1024).toFixed(0)} KiB${mark.confirmed ? "" : "; collection not confirmed"}`,
    })),
    {
      metric: `heap growth, connect -> ${Number(last.label).toLocaleString("en-US")} messages`, ours: growth, unit: "slots",
      targetText: `≤ ${tolerance} (none)`, met: growth <= tolerance && heap.every((mark) => mark.confirmed),
      note: `${growth * SLOT_BYTES} bytes; engine reserve ${(first.allocate / 2 ** 20).toFixed(1)} -> ${(last.allocate / 2 ** 20).toFixed(1)} MiB`,
    },
    {
      metric: "XS compute per QoS 1 publish, via broker", ours: buckets.publish.compute / publishedAcked, unit: "",
      note: `bridge included; ${(buckets.publish.deliveries / publishedAcked).toFixed(2)} deliveries per message`,
    },
    {
      metric: "XS compute per QoS 1 publish, in-engine loopback", ours: buckets.loopback.compute / loopbackAcked, unit: "",
      note: "client + transport + codec, no bridge",
    },
    {
      metric: "XS host throughput (not a target)", ours: publishedAcked / (publishMs / 1000), unit: "/s",
      note: "bridge round trip per socket call",
    },
  ];
  const notes = [
    `${count.toLocaleString("en-US")} QoS 1 messages of ${JSON.stringify({ value: 21.5, unit: "°C", ts: 1795370428594, seq: 1 }).length} bytes to ${broker.name} at window ${window} from the bench firmware (tools/bench/xs-publish-entry.ts) on the XS host; heap checkpoints after connect and after ${stops.map((n) => n.toLocaleString("en-US")).join(" and ")} messages, each at a quiet point (nothing in flight) right after collections forced by ${PRESSURE_BYTES / 2 ** 20} MiB of ArrayBuffer garbage (confirmed: the engine's whole reserve stays below that)`,
    `heap = the worker's currentHeapCount, XS slots in use (${SLOT_BYTES} bytes each on this 64-bit build); it does not count chunk memory (string and buffer bytes), whose reserve shows in "engine reserve"`,
    `compute = the worker's per-delivery instruction meter summed over the ${buckets.publish.deliveries.toLocaleString("en-US")} deliveries of the publishing phase (checkpoints excluded), divided by the messages; "via broker" includes the XS side of the host's bridge (framing each socket call and event as JSON), which a device does not have; the loopback figure (${loopbackAcked.toLocaleString("en-US")} messages over an in-engine socket that acknowledges at once) is the client's own cost`,
  ];
  if (note) notes.unshift(note);
  return { name: "xs", title: `XS engine: QoS 1 publish to ${broker.name} (XS host)`, rows, notes, seconds: (performance.now() - started) / 1000 };
}
