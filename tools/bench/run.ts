/*
 * `npm run bench`: performance figures as same-run ratios against a peer.
 *
 *   npm run bench                     everything (about 1.5 minutes on 2 cores)
 *   npm run bench -- --quick          a short run (smaller counts, fewer rounds)
 *   npm run bench -- --only codec     one benchmark: codec, publish, xs or ota (comma-separated for several)
 *
 * Benchmarks (one module each):
 *   codec    ./codec.ts    our encoder + PacketReader vs mqtt-packet, packets/s (target: ours ≥ 2x)
 *   publish  ./publish.ts  QoS 1 to mosquitto, our client on the Node host's TCP vs MQTT.js (target: ≥ 1.5x msgs/s)
 *                          (with a bare-socket reference, ./bare-publisher.ts)
 *   xs       ./xs.ts       the client on the XS engine: heap after connect and after 100,000 messages, compute per publish
 *   ota      ./ota.ts      the update agent on the XS engine: heap while streaming an image, compute per verification and per KiB hashed
 *
 * Progress goes to stderr; the table to stdout and, with the run's date and
 * machine, to build/bench/results.json and build/bench/results.md. Exits 1
 * when a benchmark fails to run, not when a target is missed (the table says
 * which targets are met).
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../sim/firmware-modules";
import { codecBench } from "./codec";
import { type Bench, type BenchResult, loadWarning, Progress, renderMarkdown, renderText, runMeta } from "./common";
import { otaBench } from "./ota";
import { publishBench } from "./publish";
import { xsBench } from "./xs";

const BENCHES: Record<string, Bench> = { codec: codecBench, publish: publishBench, xs: xsBench, ota: otaBench };

const HELP = `npm run bench [-- options]

  --quick          a short run: smaller counts and fewer rounds (about 20 s)
  --only NAMES     run only these benchmarks, comma-separated: ${Object.keys(BENCHES).join(", ")}
  --help           this text

Results: a table on stdout, and build/bench/results.json and results.md.
`;

class UsageError extends Error {}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): { quick: boolean; only: string[]; help: boolean } {
  let quick = env.npm_config_quick === "true";
  let help = env.npm_config_help === "true";
  const only: string[] = [];
  const bare: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") quick = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--only") {
      const value = argv[++i];
      if (!value || value.startsWith("--")) throw new UsageError("--only needs a benchmark name");
      only.push(...value.split(","));
    }
    else if (arg.startsWith("--only=")) only.push(...arg.slice(7).split(","));
    else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg} (try --help)`);
    else bare.push(arg);
  }
  // Without `--`, npm keeps the options itself: `--quick` arrives as npm_config_quick=true,
  // `--only codec` as npm_config_only=true with "codec" bare, `--only=codec` as npm_config_only=codec.
  const npmOnly = env.npm_config_only;
  if (npmOnly === "true") only.push(...bare.splice(0).flatMap((value) => value.split(",")));
  else if (npmOnly) only.push(...npmOnly.split(","));
  if (bare.length) throw new UsageError(`unexpected argument ${JSON.stringify(bare[0])} (try --help)`);
  const names = only.map((name) => name.trim()).filter(Boolean);
  for (const name of names) if (!(name in BENCHES)) throw new UsageError(`unknown benchmark ${JSON.stringify(name)}; choose from ${Object.keys(BENCHES).join(", ")}`);
  return { quick, only: names, help };
}

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2), process.env);
}
catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`npm run bench: ${error.message}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const chosen = args.only.length ? Object.keys(BENCHES).filter((name) => args.only.includes(name)) : Object.keys(BENCHES);
const meta = runMeta(args.quick);
const progress = new Progress();
process.stderr.write(`Benchmarks: ${chosen.join(", ")}${args.quick ? " (quick)" : ""} on ${meta.machine}, Node ${meta.node}\n`);
const warning = loadWarning(meta);
if (warning) process.stderr.write(`Note: ${warning}\n`);

const results: BenchResult[] = [];
const failures: string[] = [];
for (const name of chosen) {
  progress.section(name);
  progress.line("starting");
  try {
    const result = await BENCHES[name]({ quick: args.quick, progress });
    results.push(result);
    progress.line(`finished in ${result.seconds.toFixed(0)} s`);
  }
  catch (error) {
    const message = (error as Error)?.stack ?? String(error);
    failures.push(`${name}: ${(error as Error)?.message ?? String(error)}`);
    progress.line(`FAILED: ${message}`);
  }
}

const dir = join(ROOT, "build/bench");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "results.json"), JSON.stringify({ ...meta, benchmarks: chosen, failures, results }, null, 2) + "\n");
writeFileSync(join(dir, "results.md"), renderMarkdown(results, meta));
process.stdout.write(`\nBenchmark results, ${meta.date}, ${meta.machine}, Node ${meta.node}${meta.quick ? ", --quick" : ""}\n`);
process.stdout.write("ratio: above 1 means ours is better (rates ours/peer; latencies and costs peer/ours)\n");
if (warning) process.stdout.write(`Note: ${warning}\n`);
process.stdout.write(renderText(results));
const missed = results.flatMap((result) => result.rows.filter((row) => row.met === false).map((row) => `${result.name}: ${row.metric}`));
process.stdout.write(`\n${missed.length ? `Targets NOT met: ${missed.join("; ")}` : "All targets met."}\n`);
if (failures.length) process.stdout.write(`Benchmarks that failed to run: ${failures.join("; ")}\n`);
process.stdout.write(`Written: ${join("build/bench", "results.json")}, ${join("build/bench", "results.md")}\n`);
process.exit(failures.length ? 1 : 0);
