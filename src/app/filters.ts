/*
 * Reading filters: what ESPHome users know as a sensor's `filters:`, for one
 * quantity of one sensor. A fixed pipeline, each stage optional:
 *
 *   raw sample -> window (average | median of the last N)
 *              -> delta / heartbeat (publish on a change, or when one is due)
 *              -> throttle (not more often than every T)
 *              -> round (to N decimals, on the way out only)
 *
 * Config text, e.g. "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1":
 * comma-separated name:value entries, written in the pipeline's order (the
 * order is fixed; a text in another order is refused rather than silently
 * reordered, since ESPHome applies its list in the order written). Times take
 * ms, s, m or h (plain numbers are ms). An empty text filters nothing.
 *
 * Where this differs from ESPHome (esphome/components/sensor/filter.cpp):
 * - window: slides by one sample and emits on every sample from the first
 *   (a partial window of what has arrived so far), like ESPHome's
 *   send_first_at: 1, but there is no send_every: rate is throttle's job;
 * - delta: a change of exactly delta publishes (ESPHome needs more than
 *   delta), judged in decimal terms, so 0.2 -> 0.3 is a change of 0.1 even
 *   though the doubles differ by 0.09999999999999998; delta:0 publishes any
 *   change and drops repeats; no percentages;
 * - heartbeat: ESPHome's repeats the last value on a timer of its own and
 *   holds everything back in between (unless optimistic). Here it only adds
 *   publishes: when delta holds a sample back but the last publish is
 *   heartbeat ms old, the latest windowed value goes out and becomes the delta
 *   reference. There is no timer: it fires on the first sample at or after
 *   the due time, so with sampling interval I the gap is below heartbeat + I,
 *   and a sensor that stops answering is not republished from memory. Alone
 *   it would change nothing, so heartbeat without delta is refused (with a
 *   hint: throttle is what limits the rate);
 * - throttle: as ESPHome's, values inside the period are dropped and nothing
 *   is kept to replay later: the next sample after the period is newer and is
 *   judged on its own (against the last published value, so a change that
 *   lasts is published then; a spike that is gone is not). The period counts
 *   from the last publish of any kind, heartbeats included;
 * - round: half away from zero (as roundf) in decimal terms (1.005 -> 1.01),
 *   and the result is the double nearest the decimal (21.4, never
 *   21.400000000000002), so the JSON payload reads as expected. It shapes
 *   only the published value; delta compares unrounded values.
 *
 * Memory: the window is a Float64Array ring of N <= 64 made once (512 bytes
 * at most); a median keeps a second array with the same values in sorted
 * order, updated in place per sample (the evicted value's slot slides to the
 * new value's place: O(N) moves, no allocation, no sort). The average is
 * recomputed over the ring with compensated (Neumaier) summation: 64
 * additions per sample at most, and unlike a running sum it never drifts, so
 * the average depends only on the window's contents. Nothing else is kept
 * but the last published value and its time.
 *
 * Errors: bad text or spec throws at once, naming the key and the bad entry:
 * TypeError for what is malformed (unknown filter, syntax, duplicate, order,
 * heartbeat without delta), RangeError for a number out of range.
 */

export interface FilterSpec {
  /** Average or median of the last `size` raw samples (1 to 64). */
  window?: { kind: "average" | "median"; size: number };
  /** Publish only when the value moved at least this much from the last published one (>= 0). */
  delta?: number;
  /** With delta: publish the latest value anyway once the last publish is this old, ms. */
  heartbeat?: number;
  /** Publish at most once per this many ms; values in between are dropped. */
  throttle?: number;
  /** Decimals of the published value (0 to 6). */
  round?: number;
}

export const WINDOW_MAX = 64;
export const ROUND_MAX = 6;
/** Longest heartbeat or throttle, ms (a day, as the sampling interval). */
export const TIME_MAX = 86_400_000;

const UNITS: Readonly<Record<string, number>> = Object.freeze({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 });
const FIELDS: readonly string[] = Object.freeze(["window", "delta", "heartbeat", "throttle", "round"]);
const EXAMPLE = "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1";
const ORDER = "window (average or median), delta, heartbeat, throttle, round";
const KNOWN = "average:N, median:N, delta:X, heartbeat:T, throttle:T, round:N";
/** Relative slack for "exactly delta": a few ulps, far below any sensor's resolution. */
const SLACK = 8 * Number.EPSILON;

// Limits, in one place for the text and the spec; each says what is wrong or returns undefined.
const sizeProblem = (n: number) => (Number.isInteger(n) && n >= 1 && n <= WINDOW_MAX ? undefined : `must be an integer from 1 to ${WINDOW_MAX}`);
const deltaProblem = (n: number) => (Number.isFinite(n) && n >= 0 ? undefined : "must be a finite number, 0 or more");
const timeProblem = (n: number) => (Number.isInteger(n) && n >= 1 && n <= TIME_MAX ? undefined : `must be whole milliseconds from 1 ms to 24 h`);
const roundProblem = (n: number) => (Number.isInteger(n) && n >= 0 && n <= ROUND_MAX ? undefined : `must be an integer from 0 to ${ROUND_MAX}`);
const heartbeatHint = (heartbeat: string) =>
  `heartbeat needs a delta (without one every reading is published anyway); for one reading every ${heartbeat} use throttle:${heartbeat}`;

/** The stage of each filter name, in pipeline order; -1 for an unknown name. */
function stageOf(name: string): number {
  switch (name) {
    case "average": case "median": return 0;
    case "delta": return 1;
    case "heartbeat": return 2;
    case "throttle": return 3;
    case "round": return 4;
    default: return -1;
  }
}

/** Parses the config text, e.g. "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1"; throws TypeError/RangeError naming `key` and the bad part. Empty string: no filtering. */
export function parseFilter(key: string, text: string): FilterSpec {
  if (typeof text !== "string") throw new TypeError(`${key} must be a string like "${EXAMPLE}", not ${typeof text}`);
  const spec: FilterSpec = {};
  if (text.trim() === "") return spec;
  let stage = -1;
  let previous = "";
  let heartbeatPart = "";
  for (const entry of text.split(",")) {
    const part = entry.trim();
    if (part === "") throw new TypeError(`${key}: "${text}" has an empty entry (a stray comma?)`);
    const match = /^([A-Za-z_]+)\s*:\s*(\S+)$/.exec(part);
    if (!match) throw new TypeError(`${key}: "${part}" is not name:value; filters are ${KNOWN}`);
    const [, name, value] = match;
    const at = stageOf(name);
    if (at < 0) throw new TypeError(`${key}: unknown filter "${name}" in "${part}"; filters are ${KNOWN}`);
    if (at === stage) throw new TypeError(`${key}: "${part}" after "${previous}": ${at === 0 ? "one window only" : `${name} given twice`}`);
    if (at < stage) throw new TypeError(`${key}: "${part}" must come before "${previous}": filters apply in the order ${ORDER}`);
    stage = at;
    previous = part;
    const fail = (problem: string | undefined, what: string) => {
      if (problem) throw new RangeError(`${key}: "${part}": ${what} ${problem}`);
    };
    switch (name) {
      case "average": case "median": {
        if (!/^-?\d+$/.test(value)) throw new TypeError(`${key}: "${part}": the window size must be an integer from 1 to ${WINDOW_MAX}`);
        const size = Number(value);
        fail(sizeProblem(size), "the window size");
        spec.window = { kind: name, size };
        break;
      }
      case "delta": {
        if (value.startsWith("-")) throw new RangeError(`${key}: "${part}": delta ${deltaProblem(-1)}`);
        if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) throw new TypeError(`${key}: "${part}": delta must be a number such as 0.1`);
        const delta = Number(value);
        fail(deltaProblem(delta), "delta");
        spec.delta = delta;
        break;
      }
      case "heartbeat": case "throttle": {
        spec[name] = parseTime(key, part, name, value);
        if (name === "heartbeat") heartbeatPart = part;
        break;
      }
      case "round": {
        if (!/^-?\d+$/.test(value)) throw new TypeError(`${key}: "${part}": round takes a number of decimals, an integer from 0 to ${ROUND_MAX}`);
        const round = Number(value);
        fail(roundProblem(round), "decimals");
        spec.round = round;
        break;
      }
    }
  }
  if (spec.heartbeat !== undefined && spec.delta === undefined)
    throw new TypeError(`${key}: "${heartbeatPart}": ${heartbeatHint(formatTime(spec.heartbeat))}`);
  return spec;
}

function parseTime(key: string, part: string, name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!match) {
    if (value.startsWith("-")) throw new RangeError(`${key}: "${part}": ${name} ${timeProblem(-1)}`);
    throw new TypeError(`${key}: "${part}": ${name} must be a time: a number with ms, s, m or h (plain numbers are ms), e.g. 30s`);
  }
  const exact = Number(match[1]) * UNITS[match[2] ?? "ms"];
  const ms = Math.round(exact);
  // 1.1s is 1100.0000000000002 in doubles: whole within rounding, and accepted.
  fail(Math.abs(exact - ms) > 1e-9 * Math.max(1, exact) ? "must be whole milliseconds" : timeProblem(ms));
  return ms;

  function fail(problem: string | undefined) {
    if (problem) throw new RangeError(`${key}: "${part}": ${name} ${problem}`);
  }
}

function formatTime(ms: number): string {
  for (const unit of ["h", "m", "s"]) if (ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  return `${ms}ms`;
}

/**
 * Checks a spec given as an object (the constructor's and formatFilter's
 * input), naming the field; the same limits as the text.
 */
function checkSpec(spec: FilterSpec): void {
  if (typeof spec !== "object" || spec === null) throw new TypeError(`a filter spec must be an object, not ${spec === null ? "null" : typeof spec}`);
  for (const field of Object.keys(spec)) {
    if (!FIELDS.includes(field))
      throw new TypeError(`filter spec has an unknown field "${field}"; fields are window, delta, heartbeat, throttle, round`);
  }
  const check = (problem: string | undefined, field: string, value: unknown) => {
    if (problem) throw new RangeError(`filter spec ${field} ${problem}, not ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
  };
  // (Not destructured: a local named `window` reads as the browser global to tools/firmware-rules.ts.)
  const frame = spec.window;
  const { delta, heartbeat, throttle, round } = spec;
  if (frame !== undefined) {
    if (typeof frame !== "object" || frame === null || (frame.kind !== "average" && frame.kind !== "median"))
      throw new TypeError(`filter spec window.kind must be "average" or "median", not ${String(JSON.stringify((frame as { kind?: unknown } | null)?.kind))}`);
    check(typeof frame.size === "number" ? sizeProblem(frame.size) : "must be a number", "window.size", frame.size);
  }
  if (delta !== undefined) check(typeof delta === "number" ? deltaProblem(delta) : "must be a number", "delta", delta);
  if (heartbeat !== undefined) check(typeof heartbeat === "number" ? timeProblem(heartbeat) : "must be a number", "heartbeat", heartbeat);
  if (throttle !== undefined) check(typeof throttle === "number" ? timeProblem(throttle) : "must be a number", "throttle", throttle);
  if (round !== undefined) check(typeof round === "number" ? roundProblem(round) : "must be a number", "round", round);
  if (heartbeat !== undefined && delta === undefined) throw new TypeError(`filter spec: ${heartbeatHint(formatTime(heartbeat))}`);
}

/** The spec back as text (for the config topic), parseFilter(formatFilter(x)) deep-equals x. Throws as the constructor does for an invalid spec. */
export function formatFilter(spec: FilterSpec): string {
  checkSpec(spec);
  const parts: string[] = [];
  if (spec.window !== undefined) parts.push(`${spec.window.kind}:${spec.window.size}`);
  if (spec.delta !== undefined) parts.push(`delta:${String(spec.delta)}`);
  if (spec.heartbeat !== undefined) parts.push(`heartbeat:${formatTime(spec.heartbeat)}`);
  if (spec.throttle !== undefined) parts.push(`throttle:${formatTime(spec.throttle)}`);
  if (spec.round !== undefined) parts.push(`round:${spec.round}`);
  return parts.join(",");
}

/** `value` to decimals (`scale` = 10^decimals), half away from zero in decimal terms; never -0. */
function roundTo(value: number, scale: number): number {
  const scaled = Math.abs(value) * scale;
  if (!(scaled < 2 ** 52)) return value; // already whole at this scale (or too large to scale)
  let whole = Math.floor(scaled);
  if (scaled - whole >= 0.5 - 4 * Number.EPSILON * scaled) whole += 1;
  return whole === 0 ? 0 : (value < 0 ? -whole : whole) / scale;
}

/** |value - reference| >= delta in decimal terms (see the header); delta 0: any change. */
function moved(value: number, reference: number, delta: number): boolean {
  const change = Math.abs(value - reference);
  if (delta === 0) return change !== 0;
  return change >= delta - SLACK * Math.max(Math.abs(value), Math.abs(reference), delta);
}

/**
 * One quantity's filters. Not shared between quantities or sensors: each
 * keeps its own window and references. `now` is a monotonic clock in ms (the
 * device's ticks, not the wall clock SNTP steps); should it step back, the
 * timing starts afresh from that sample (it publishes, and counts from there).
 */
export class ReadingFilter {
  readonly #now: () => number;
  readonly #median: boolean;
  /** The last `#count` raw samples, oldest at `#head`; undefined without a window. */
  readonly #ring: Float64Array | undefined;
  /** Median only: the same `#count` values, ascending. */
  readonly #sorted: Float64Array | undefined;
  readonly #delta: number | undefined;
  readonly #heartbeat: number | undefined;
  readonly #throttle: number | undefined;
  /** 10^round, or undefined. */
  readonly #scale: number | undefined;
  #head = 0;
  #count = 0;
  /** Whether anything was published since construction or reset; the two below are meaningful only then. */
  #published = false;
  /** The last published value, unrounded: delta's reference. */
  #reference = 0;
  #publishedAt = 0;

  constructor(spec: FilterSpec, now: () => number) {
    checkSpec(spec);
    if (typeof now !== "function") throw new TypeError("a ReadingFilter needs a now() clock, ms");
    this.#now = now;
    this.#median = spec.window?.kind === "median";
    this.#ring = spec.window ? new Float64Array(spec.window.size) : undefined;
    this.#sorted = this.#median ? new Float64Array(spec.window!.size) : undefined;
    this.#delta = spec.delta;
    this.#heartbeat = spec.heartbeat;
    this.#throttle = spec.throttle;
    this.#scale = spec.round === undefined ? undefined : 10 ** spec.round;
  }

  /** A new raw sample; returns the value to publish now, or undefined when the filters hold it back. NaN/Infinity are refused (RangeError). */
  offer(value: number): number | undefined {
    if (typeof value !== "number") throw new TypeError(`a reading must be a number, not ${typeof value}`);
    if (!Number.isFinite(value)) throw new RangeError(`a reading must be a finite number, not ${value}`);
    const now = this.#now();
    if (!Number.isFinite(now)) throw new RangeError(`now() must return milliseconds, not ${now}`);
    const current = this.#ring ? this.#window(this.#ring, value) : value;
    if (this.#published) {
      const elapsed = now - this.#publishedAt;
      const stepped = elapsed < 0;
      const changed = this.#delta === undefined || moved(current, this.#reference, this.#delta);
      const due = this.#heartbeat !== undefined && (stepped || elapsed >= this.#heartbeat);
      if (!changed && !due) return undefined;
      if (this.#throttle !== undefined && !stepped && elapsed < this.#throttle) return undefined;
    }
    this.#published = true;
    this.#reference = current;
    this.#publishedAt = now;
    return this.#scale === undefined ? current : roundTo(current, this.#scale);
  }

  /** Resets the window and references (e.g. after the sensor faulted and came back): the next sample is published as the first was. */
  reset(): void {
    this.#head = 0;
    this.#count = 0;
    this.#published = false;
  }

  /** Adds `value` to the window (evicting the oldest when full); returns the window's average or median. */
  #window(ring: Float64Array, value: number): number {
    const size = ring.length;
    const sorted = this.#sorted;
    if (this.#count < size) {
      ring[this.#count] = value; // #head is 0 until the ring is full
      if (sorted) insert(sorted, this.#count, value);
      this.#count++;
    } else {
      const evicted = ring[this.#head];
      ring[this.#head] = value;
      this.#head = this.#head + 1 === size ? 0 : this.#head + 1;
      if (sorted) replace(sorted, size, evicted, value);
    }
    return sorted ? median(sorted, this.#count) : average(ring, this.#head, this.#count);
  }
}

/** Inserts `value` into ascending `sorted[0..count)`, shifting the larger ones up. */
function insert(sorted: Float64Array, count: number, value: number): void {
  let at = count;
  for (; at > 0 && sorted[at - 1] > value; at--) sorted[at] = sorted[at - 1];
  sorted[at] = value;
}

/** Replaces one `evicted` (present) in ascending `sorted[0..count)` with `value`, keeping the order: the freed slot slides to where `value` belongs. */
function replace(sorted: Float64Array, count: number, evicted: number, value: number): void {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < evicted) low = middle + 1;
    else high = middle;
  }
  let at = low;
  if (value > evicted) for (; at + 1 < count && sorted[at + 1] < value; at++) sorted[at] = sorted[at + 1];
  else for (; at > 0 && sorted[at - 1] > value; at--) sorted[at] = sorted[at - 1];
  sorted[at] = value;
}

/** Median of ascending `sorted[0..count)`: the middle value, or the mean of the two middle ones. */
function median(sorted: Float64Array, count: number): number {
  const middle = count >> 1;
  // Halves first: exact, and no overflow for values near the double's limit.
  return count % 2 === 1 ? sorted[middle] : sorted[middle - 1] / 2 + sorted[middle] / 2;
}

/** Mean of the ring's `count` values from `head` on, summed oldest first with Neumaier's compensation. */
function average(ring: Float64Array, head: number, count: number): number {
  const size = ring.length;
  let sum = 0;
  let compensation = 0;
  for (let k = 0, at = head; k < count; k++, at = at + 1 === size ? 0 : at + 1) {
    const value = ring[at];
    const next = sum + value;
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
  }
  const mean = (sum + compensation) / count;
  if (Number.isFinite(mean)) return mean;
  // Only for values near the double's limit, whose sum overflows.
  let scaled = 0;
  for (let k = 0, at = head; k < count; k++, at = at + 1 === size ? 0 : at + 1) scaled += ring[at] / count;
  return scaled;
}
