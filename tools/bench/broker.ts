/*
 * The broker for the network benchmarks: mosquitto (tools/brokers.ts), or,
 * when it is not installed (or BENCH_BROKER=aedes), aedes in a child process of its own
 * (./aedes-broker.ts) so it does not share the clients' event loop. The
 * fallback comes with a note for the results.
 */

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../sim/firmware-modules";
import { type Broker, mosquittoPath, startMosquitto } from "../brokers";
import type { Progress } from "./common";

export interface BenchBroker {
  broker: Broker;
  /** Set when the broker is not the reference one (mosquitto). */
  note?: string;
  /** CPU seconds (user + system) the broker process has used so far; undefined where /proc is missing. */
  cpuSeconds(): number | undefined;
}

/** CPU seconds of a process from /proc/<pid>/stat (Linux; clock ticks of 1/100 s). */
function processCpu(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime: fields 14 and 15 of the whole line
  }
  catch {
    return undefined;
  }
}

export async function startAedesProcess(): Promise<Broker & { pid: number | undefined }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tools/bench/aedes-broker.ts")], {
    cwd: ROOT, stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (data: Buffer) => {
      out += data.toString();
      const match = /port (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error("the aedes broker process exited before listening")));
  });
  return {
    name: "aedes", port, url: `mqtt://127.0.0.1:${port}`, pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** mosquitto when installed, unless BENCH_BROKER=aedes asks for the fallback. */
export async function startBenchBroker(progress: Progress): Promise<BenchBroker> {
  const forced = process.env.BENCH_BROKER === "aedes";
  if (mosquittoPath() && !forced) {
    const broker = await startMosquitto();
    progress.line(`mosquitto on 127.0.0.1:${broker.port}`);
    return { broker, cpuSeconds: () => processCpu(broker.process?.pid) };
  }
  const broker = await startAedesProcess();
  const why = forced ? "BENCH_BROKER=aedes" : "mosquitto is not installed";
  progress.line(`NOTE: ${why}; using aedes (own process) on 127.0.0.1:${broker.port}`);
  return {
    broker,
    cpuSeconds: () => processCpu(broker.pid),
    note: `BROKER: ${why}, so these figures are against aedes (Node, own process), not the reference mosquitto${forced ? "" : " (Debian: apt-get install -y mosquitto)"}. aedes is slower, so the clients may be broker-bound and ratios understated.`,
  };
}
