/*
 * Runs a check fixture (test/xs/fixtures/*-checks.ts, built on ./fixtures/check.ts)
 * on the real XS engine and returns its "check ..." lines, failing on a
 * crash or when "checks done" does not come in time.
 */

import { join } from "node:path";
import type { FirmwareConfig } from "../../sim/config";
import { ROOT } from "../../sim/firmware-modules";
import { XSHost } from "../../sim/xs/bridge-host";

export interface CheckRun {
  /** Every "check <name>: ..." line, in order. */
  results: string[];
  /** Those that did not end in ": ok". */
  failures: string[];
  output: string;
}

export async function runChecks(fixture: string, config: FirmwareConfig = {}, timeoutMs = 20_000): Promise<CheckRun> {
  let output = "";
  let crashed: Error | undefined;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  const host = new XSHost({
    config, entry: join(ROOT, "test/xs/fixtures", fixture), stdio: "pipe",
    trace: (text) => { output += text; if (output.includes("checks done")) finished(); },
    onCrash: (error) => { crashed = error; finished(); },
  });
  try {
    await host.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
  }
  finally {
    host.stop();
  }
  if (crashed) throw crashed;
  if (!output.includes("checks done")) throw new Error(`${fixture}: no "checks done" within ${timeoutMs} ms:\n${output}`);
  const results = output.split("\n").filter((line) => line.startsWith("check "));
  return { results, failures: results.filter((line) => !line.endsWith(": ok")), output };
}
