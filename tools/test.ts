/*
 * `npm test`: type-checks the three TypeScript projects, then runs the test
 * suites in order: unit (fast, in process), integration (real brokers,
 * simulated devices on the Node host), xs (the firmware on the XS engine).
 *
 *   npm test                      everything
 *   npm test -- unit xs           chosen suites
 *   npm test -- test/unit/x.test.ts   chosen files
 *
 * Tests run with the Node host's module hooks (sim/node/register.ts), so they
 * import firmware modules as a device links them.
 *
 * Each test file has a time limit (FILE_LIMIT_MS, per suite). A file that
 * reaches it before any of its tests was reported most likely hung while Node loaded the
 * module hooks (./tap-hangs.ts, nodejs/node#50948) and is run once more,
 * with a line saying so; every other failure fails the suite. Each suite's
 * TAP report is kept in build/test-results/.
 *
 * Integration tests use Debian's mosquitto, openssl and python3-paho-mqtt;
 * run as root with apt-get, `npm test` installs the missing ones first
 * (tools/system-packages.ts). Without mosquitto they use aedes in its place
 * and say so; REQUIRE_MOSQUITTO=1 makes a missing mosquitto a failure (CI
 * sets it).
 */

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../sim/firmware-modules";
import { mosquittoPath } from "./brokers";
import { ensureSystemPackages } from "./system-packages";
import { readTapOutcome } from "./tap-hangs";

const SUITES = ["unit", "integration", "xs"] as const;
type Suite = (typeof SUITES)[number];

/** The longest a test file may run, ms: several times the slowest file of each suite. */
const FILE_LIMIT_MS: Record<Suite | "chosen", number> = { unit: 180_000, integration: 900_000, xs: 300_000, chosen: 900_000 };
/** The longest a suite's runner may run, ms (its own start-up can hang as a file's can). */
const SUITE_LIMIT_MS: Record<Suite | "chosen", number> = { unit: 1_200_000, integration: 2_700_000, xs: 900_000, chosen: 2_700_000 };

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** Runs a command; `stopped`: it was killed at `limitMs`. */
function run(title: string, command: string, args: string[], limitMs?: number): { ok: boolean; stopped: boolean } {
  process.stdout.write(`\n== ${title}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", timeout: limitMs });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  const stopped = result.signal !== null && limitMs !== undefined && Date.now() - started >= limitMs;
  process.stdout.write(`== ${title}: ${ok ? "passed" : "FAILED"} in ${seconds} s${stopped ? ` (stopped at its limit of ${limitMs! / 60_000} minutes)` : ""}\n`);
  return { ok, stopped };
}

const args = process.argv.slice(2);
const suites = args.filter((arg): arg is Suite => (SUITES as readonly string[]).includes(arg));
const files = args.filter((arg) => arg.endsWith(".ts"));
const unknown = args.filter((arg) => !suites.includes(arg as Suite) && !files.includes(arg));
if (unknown.length) {
  process.stderr.write(`npm test: unknown argument ${unknown.join(" ")}; give suite names (${SUITES.join(", ")}) or test files\n`);
  process.exit(2);
}

const needsBrokers = files.length > 0 || !suites.length || suites.some((suite) => suite !== "unit");
const missing = needsBrokers ? ensureSystemPackages((line) => process.stdout.write(`${line}\n`)) : [];
if (missing.length) process.stdout.write(`Missing Debian packages: ${missing.join(", ")} (apt-get install -y ${missing.join(" ")}); tests that need them will fail\n`);

const mosquitto = mosquittoPath();
if (!mosquitto && process.env.REQUIRE_MOSQUITTO === "1") {
  process.stderr.write("npm test: REQUIRE_MOSQUITTO=1 but mosquitto is not installed (Debian: apt-get install -y mosquitto)\n");
  process.exit(1);
}
process.stdout.write(mosquitto
  ? `Brokers: mosquitto (${mosquitto}) and aedes\n`
  : "Brokers: aedes only; mosquitto is not installed, so tests that name it use aedes in its place (apt-get install -y mosquitto)\n");

const tsc = join(ROOT, "node_modules/.bin/tsc");
const results = join(ROOT, "build/test-results");

/** Runs test files; a file that hung before any of its tests was reported, or a runner that reported nothing before its limit, runs once more. */
function nodeTest(title: string, name: Suite | "chosen", list: string[], concurrency: number, again = false): boolean {
  mkdirSync(results, { recursive: true });
  const tap = join(results, `${name}${again ? "-again" : ""}.tap`);
  rmSync(tap, { force: true });
  const { ok, stopped } = run(title, process.execPath, [
    "--import", "tsx", "--import", "./sim/node/register.ts", "--test", `--test-timeout=${FILE_LIMIT_MS[name]}`,
    "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`,
    `--test-concurrency=${concurrency}`, ...list.map((file) => relative(ROOT, file)),
  ], SUITE_LIMIT_MS[name]);
  if (ok || again) return ok;
  let report = "";
  try {
    report = readFileSync(tap, "utf8");
  }
  catch {
    // No report at all: the runner itself never started.
  }
  const outcome = readTapOutcome(report);
  if (stopped && !/^(not )?ok \d+ /m.test(report)) {
    process.stdout.write("== the test runner reported nothing before its limit, as Node can hang while loading module hooks (nodejs/node#50948); running the suite once more\n");
    return nodeTest(`${title}, again`, name, list, concurrency, true);
  }
  if (!outcome.hung.length || outcome.failed.length) return false;
  process.stdout.write(`== ${outcome.hung.length} file(s) hung before any of their tests was reported, as Node can while loading module hooks (nodejs/node#50948); running them once more: ${outcome.hung.map((file) => relative(ROOT, file)).join(", ")}\n`);
  return nodeTest(`${title}, hung files again`, name, outcome.hung, 1, true);
}

let ok = true;
if (files.length) {
  ok = nodeTest("chosen tests", "chosen", files, 1);
}
else {
  const chosen = suites.length ? suites : [...SUITES];
  if (!suites.length) {
    ok = run("type check: firmware (no Node types)", tsc, ["-p", "tsconfig.json"]).ok
      && run("type check: XS host engine", tsc, ["-p", "sim/xs/engine/tsconfig.json"]).ok
      && run("type check: Node side (hosts, tools, tests)", tsc, ["-p", "tsconfig.node.json"]).ok;
  }
  for (const suite of chosen) {
    if (!ok) break;
    // Unit tests run in parallel; suites that start brokers and devices run one file at a time.
    ok = nodeTest(`${suite} tests`, suite, testFiles(join(ROOT, "test", suite)), suite === "unit" ? 2 : 1);
  }
}
process.exit(ok ? 0 : 1);
