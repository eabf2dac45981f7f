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
 * Integration tests use Debian's mosquitto, openssl and python3-paho-mqtt;
 * run as root with apt-get, `npm test` installs the missing ones first
 * (tools/system-packages.ts). Without mosquitto they use aedes in its place
 * and say so; REQUIRE_MOSQUITTO=1 makes a missing mosquitto a failure (CI
 * sets it).
 */

import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../sim/firmware-modules";
import { mosquittoPath } from "./brokers";
import { ensureSystemPackages } from "./system-packages";

const SUITES = ["unit", "integration", "xs"] as const;
type Suite = (typeof SUITES)[number];

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

function run(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  process.stdout.write(`\n== ${title}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  process.stdout.write(`== ${title}: ${ok ? "passed" : "FAILED"} in ${seconds} s\n`);
  return ok;
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
const nodeTest = (title: string, list: string[], concurrency: number) =>
  run(title, process.execPath, ["--import", "tsx", "--import", "./sim/node/register.ts", "--test", "--test-reporter=spec", `--test-concurrency=${concurrency}`, ...list.map((file) => relative(ROOT, file))]);

let ok = true;
if (files.length) {
  ok = nodeTest("chosen tests", files, 1);
}
else {
  const chosen = suites.length ? suites : [...SUITES];
  if (!suites.length) {
    ok = run("type check: firmware (no Node types)", tsc, ["-p", "tsconfig.json"])
      && run("type check: XS host engine", tsc, ["-p", "sim/xs/engine/tsconfig.json"])
      && run("type check: Node side (hosts, tools, tests)", tsc, ["-p", "tsconfig.node.json"]);
  }
  for (const suite of chosen) {
    if (!ok) break;
    // Unit tests run in parallel; suites that start brokers and devices run one file at a time.
    ok = nodeTest(`${suite} tests`, testFiles(join(ROOT, "test", suite)), suite === "unit" ? 2 : 1);
  }
}
process.exit(ok ? 0 : 1);
