/*
 * Shared pieces of `npm run bench`: result rows, statistics, progress lines
 * and the table renderer.
 *
 * Every row compares our code with a peer measured in the same run, on the
 * same machine, in alternating rounds; targets are ratios, never absolute
 * times. `ratio` is oriented so that above 1 means ours is better:
 * ours/peer for rates, peer/ours for latencies and costs.
 */

import os from "node:os";

export interface Row {
  /** What is measured, with its unit and direction ("encode+decode, packets/s"). */
  metric: string;
  ours: number;
  /** The peer's figure in the same run; absent for rows without a peer (XS figures). */
  peer?: number;
  unit: string;
  /** Above 1: ours is better. */
  ratio?: number;
  /** Ratio the row must reach, e.g. 2 for "ours at least 2x". */
  target?: number;
  /** Text for a row whose target is not a ratio ("no growth"). */
  targetText?: string;
  met?: boolean;
  /** A short remark shown in the table. */
  note?: string;
}

export interface BenchResult {
  name: string;
  title: string;
  /** What "peer" means for this benchmark, e.g. "mqtt-packet 9.0.2". */
  peer?: string;
  rows: Row[];
  /** Settings and caveats, printed under the table. */
  notes: string[];
  seconds: number;
}

export interface BenchOptions {
  quick: boolean;
  progress: Progress;
}

export type Bench = (options: BenchOptions) => Promise<BenchResult>;

export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of values already sorted ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Relative spread of repeated measurements: (max - min) / median. */
export function spread(values: readonly number[]): number {
  return values.length ? (Math.max(...values) - Math.min(...values)) / median(values) : Number.NaN;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Progress lines on stderr, so stdout keeps only the table. */
export class Progress {
  readonly #started = performance.now();
  #prefix = "";

  section(name: string): void {
    this.#prefix = name;
  }

  line(text: string): void {
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`${seconds}s  [${this.#prefix}] ${text}\n`);
  }
}

export function formatNumber(value: number | undefined, unit = ""): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 1e6) text = `${(value / 1e6).toFixed(2)} M`;
  else if (abs >= 1e4) text = `${(value / 1e3).toFixed(1)} k`;
  else if (abs >= 100 || Number.isInteger(value)) text = Math.round(value).toLocaleString("en-US");
  else if (abs >= 10) text = value.toFixed(1);
  else text = value.toFixed(2);
  if (!unit) return text.trim();
  return text.endsWith(" M") || text.endsWith(" k") ? `${text}${unit}` : `${text} ${unit}`;
}

function ratioText(row: Row): string {
  return row.ratio === undefined ? "–" : `${row.ratio.toFixed(2)}x`;
}

function targetText(row: Row): string {
  if (row.targetText) return row.targetText;
  return row.target === undefined ? "–" : `≥ ${row.target}x`;
}

function metText(row: Row): string {
  return row.met === undefined ? "–" : row.met ? "yes" : "NO";
}

/** Rows of one result as table cells: metric, ours, peer, ratio, target, met, note. */
function cells(row: Row): string[] {
  return [row.metric, formatNumber(row.ours, row.unit), row.peer === undefined ? "–" : formatNumber(row.peer, row.unit), ratioText(row), targetText(row), metText(row), row.note ?? ""];
}

const HEAD = ["metric", "ours", "peer", "ratio", "target", "met", "note"];

export function renderText(results: readonly BenchResult[]): string {
  const out: string[] = [];
  for (const result of results) {
    out.push("", `${result.title}${result.peer ? `  (peer: ${result.peer})` : ""}  [${result.seconds.toFixed(0)} s]`);
    const table = [HEAD, ...result.rows.map(cells)];
    const widths = HEAD.map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const [index, row] of table.entries()) {
      out.push("  " + row.map((cell, i) => (i === 0 || i === 6 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
      if (index === 0) out.push("  " + widths.map((w) => "-".repeat(w)).join("  "));
    }
    for (const note of result.notes) out.push(`  * ${note}`);
  }
  return out.join("\n") + "\n";
}

export function renderMarkdown(results: readonly BenchResult[], meta: RunMeta): string {
  const warning = loadWarning(meta);
  const out: string[] = [`# Benchmark results`, "", `${meta.date}, ${meta.machine}, Node ${meta.node}${meta.quick ? ", --quick" : ""}, load ${meta.loadAtStart.toFixed(1)} at start.`,
    ...(warning ? ["", `Note: ${warning}.`] : []),
    "", "Ratio above 1 means ours is better (rates: ours/peer; latencies and costs: peer/ours)."];
  for (const result of results) {
    out.push("", `## ${result.title}`, "");
    if (result.peer) out.push(`Peer: ${result.peer}.`, "");
    out.push(`| ${HEAD.join(" | ")} |`, `|${HEAD.map((_, i) => (i === 0 || i === 6 ? "---" : "---:")).join("|")}|`);
    for (const row of result.rows) out.push(`| ${cells(row).map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
    if (result.notes.length) out.push("", ...result.notes.map((note) => `- ${note}`));
  }
  return out.join("\n") + "\n";
}

export interface RunMeta {
  date: string;
  machine: string;
  cores: number;
  node: string;
  quick: boolean;
  /** 1-minute load average when the run started (other processes compete for the cores). */
  loadAtStart: number;
}

export function runMeta(quick: boolean): RunMeta {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    machine: `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    cores: cpus.length,
    node: process.versions.node,
    quick,
    loadAtStart: os.loadavg()[0],
  };
}

/** A warning when other processes keep the machine busy, or undefined. */
export function loadWarning(meta: RunMeta): string | undefined {
  if (meta.loadAtStart < meta.cores * 0.5) return undefined;
  return `the machine was busy when the run started (load ${meta.loadAtStart.toFixed(1)} on ${meta.cores} cores): absolute figures are lower and noisier than on an idle machine; the same-run ratios are the figures to compare`;
}

/** A ratio row: `ours` vs `peer` where higher is better. */
export function higherIsBetter(metric: string, ours: number, peer: number, unit: string, target?: number, note?: string): Row {
  const ratio = ours / peer;
  return { metric, ours, peer, unit, ratio, target, met: target === undefined ? undefined : ratio >= target, note };
}

/** A ratio row: `ours` vs `peer` where lower is better (latency, cost). */
export function lowerIsBetter(metric: string, ours: number, peer: number, unit: string, target?: number, note?: string): Row {
  const ratio = peer / ours;
  return { metric, ours, peer, unit, ratio, target, met: target === undefined ? undefined : ratio >= target, note };
}
