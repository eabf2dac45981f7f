/*
 * Reads a node:test TAP report (Node 20) for test files that hung before
 * any of their tests was reported: the file's own entry timed out
 * (--test-timeout) and no test entry is located in that file. npm test runs
 * such files once more (tools/test.ts).
 *
 * Why: now and then a test process stops for good while Node loads its
 * module hooks. Each test process registers two sets of hooks, tsx's and
 * the Node host's (sim/node/register.ts), and Node can deadlock between the
 * main thread and the hooks thread during the second registration
 * (nodejs/node#50948). It was seen once in about twenty runs of the unit
 * suite: the process sat asleep with under a second of CPU.
 *
 * A file whose first test hangs looks the same, and is run once more too;
 * if it hangs again, it fails.
 *
 * Node 20's runner reports a file's tests as top-level entries, each with
 * the `location` file:line:column where it was declared. A file gets an
 * entry of its own (named by its path, located at its line 1) only when the
 * file as a whole fails, e.g. by timing out.
 */

export interface TapOutcome {
  /** Files that timed out before any of their tests was reported. */
  hung: string[];
  /** Every other failed entry: tests, and files that failed otherwise. */
  failed: string[];
}

interface Entry {
  name: string;
  ok: boolean;
  timedOut: boolean;
  /** The file part of `location`. */
  file?: string;
}

function entries(tap: string): Entry[] {
  const out: Entry[] = [];
  const lines = tap.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const result = /^(not ok|ok) \d+ - (.*?)(?: # .*)?$/.exec(lines[i]);
    if (!result) continue;
    const entry: Entry = { name: result[2], ok: result[1] === "ok", timedOut: false };
    // The entry's YAML block follows, indented by two spaces.
    for (let j = i + 1; j < lines.length && lines[j].startsWith("  "); j++) {
      if (lines[j] === "  failureType: 'testTimeoutFailure'") entry.timedOut = true;
      const location = /^ {2}location: '(.*):\d+:\d+'$/.exec(lines[j]);
      if (location) entry.file = location[1];
    }
    out.push(entry);
  }
  return out;
}

export function readTapOutcome(tap: string): TapOutcome {
  const all = entries(tap);
  const filesWithTests = new Set(all.filter((entry) => entry.file !== entry.name).map((entry) => entry.file));
  const hung: string[] = [];
  const failed: string[] = [];
  for (const entry of all) {
    if (entry.ok) continue;
    const isFile = entry.file === entry.name;
    if (isFile && entry.timedOut && !filesWithTests.has(entry.name)) hung.push(entry.name);
    else failed.push(entry.name);
  }
  return { hung, failed };
}
