/*
 * Reading filters (src/app/filters.ts) through their public behaviour, on a
 * virtual clock: tables of (time ms, raw sample, what offer() returns), for
 * each filter alone and combined, then the config text's parser and format.
 * Most samples are binary fractions (steps of 0.0625 °C, a TMP102's), so
 * expected averages and medians are exact.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FilterSpec, formatFilter, parseFilter, ReadingFilter } from "../../../src/app/filters";
import { VirtualTimers } from "../../helpers/virtual-timers";
import { seededRandom } from "../mqtt/random";

/** offer() held the sample back. */
const HELD = undefined;
type Row = readonly [time: number, raw: number, published: number | undefined];

/** Offers each row's sample at its time; compares everything offer() returned with the table. */
function run(spec: FilterSpec, rows: readonly Row[], filter?: ReadingFilter, clock = new VirtualTimers()): ReadingFilter {
  const used = filter ?? new ReadingFilter(spec, () => clock.now());
  const got = rows.map(([time, raw]) => {
    clock.advanceTo(time);
    return used.offer(raw);
  });
  assert.deepEqual(got, rows.map((row) => row[2]), `${formatFilter(spec) || "no filters"}: ${rows.map(([t, raw]) => `${t}:${raw}`).join(" ")}`);
  return used;
}

/** Rows one second apart from t = 0. */
const everySecond = (pairs: readonly (readonly [number, number | undefined])[]): Row[] => pairs.map(([raw, out], i) => [i * 1000, raw, out]);

describe("reading filters: window", () => {
  it("without filters, publishes every sample as it is", () => {
    run({}, everySecond([[21.5, 21.5], [21.5, 21.5], [-3.0625, -3.0625], [101325, 101325]]));
  });

  it("average: slides by one sample, and emits from the first (over what has arrived)", () => {
    run({ window: { kind: "average", size: 3 } }, everySecond([
      [1, 1], [2, 1.5], [3, 2], // filling: 1, 2 then 3 samples
      [4, 3], [11, 6], [-15, 0], [0, -4 / 3], // full: the last three
    ]));
  });

  it("average of size 1 is the sample itself", () => {
    run({ window: { kind: "average", size: 1 } }, everySecond([[20.0625, 20.0625], [-7.5, -7.5], [0, 0]]));
  });

  it("median of an odd window ignores single outliers (spike and dropout)", () => {
    run({ window: { kind: "median", size: 5 } }, everySecond([
      [20, 20], [20.5, 20.25], [95, 20.5], [21, 20.75], [20.25, 20.5],
      [-40, 20.5], // window 20.5 95 21 20.25 -40
      [21.5, 21], // 95 21 20.25 -40 21.5
      [21.25, 21], // 21 20.25 -40 21.5 21.25
      [21.25, 21.25], // 20.25 -40 21.5 21.25 21.25
    ]));
  });

  it("median of an even window is the mean of the two middle values", () => {
    run({ window: { kind: "median", size: 4 } }, everySecond([
      [10, 10], [30, 20], [20, 20], [1000, 25], [25, 27.5], [24, 24.5], [-1000, 24.5], [23, 23.5],
    ]));
  });

  it("median evicts the oldest sample, also among equal values", () => {
    run({ window: { kind: "median", size: 3 } }, everySecond([
      [5, 5], [5, 5], [5, 5], [1, 5], [1, 1], [1, 1], [5, 1], [5, 5], [-0, 5], [0, 0], [-0, 0],
    ]));
  });

  it("median and average agree with a plain sort and sum over 5,000 random samples, every size", () => {
    for (const size of [1, 2, 3, 4, 7, 16, 63, 64]) {
      const random = seededRandom(size);
      const median = new ReadingFilter({ window: { kind: "median", size } }, () => 0);
      const average = new ReadingFilter({ window: { kind: "average", size } }, () => 0);
      const recent: number[] = [];
      for (let i = 0; i < 5000; i++) {
        // Few distinct values (many ties), or anything: both paths of the sorted window.
        const raw = i % 1000 < 500 ? Math.floor(random() * 8) * 0.25 : (random() - 0.5) * 200;
        recent.push(raw);
        if (recent.length > size) recent.shift();
        const sorted = [...recent].sort((a, b) => a - b);
        const middle = sorted.length >> 1;
        const expected = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        assert.equal(median.offer(raw), expected, `median:${size} sample ${i}`);
        const mean = recent.reduce((sum, value) => sum + value, 0) / recent.length;
        assert.ok(Math.abs(average.offer(raw)! - mean) <= 1e-12 * 100, `average:${size} sample ${i}`);
      }
    }
  });

  it("average is exact for the window's contents, whatever came before (no running-sum drift)", () => {
    const random = seededRandom(7);
    const worn = new ReadingFilter({ window: { kind: "average", size: 8 } }, () => 0);
    for (let i = 0; i < 100_000; i++) worn.offer((random() - 0.5) * 1e9);
    const fresh = new ReadingFilter({ window: { kind: "average", size: 8 } }, () => 0);
    const tail = [21.1, 21.2, 21.3, 21.4, 21.3, 21.2, 21.1, 21.0];
    for (const value of tail) worn.offer(value);
    for (const value of tail) fresh.offer(value);
    const worn9 = worn.offer(21.1)!;
    assert.equal(worn9, fresh.offer(21.1));
    assert.ok(Math.abs(worn9 - 21.2) < 1e-12, `${worn9}`);
  });

  it("average keeps precision where a naive sum loses it", () => {
    const average = new ReadingFilter({ window: { kind: "average", size: 3 } }, () => 0);
    average.offer(1e16);
    average.offer(1);
    assert.equal(average.offer(-1e16), 1 / 3, "compensated sum: 1e16 + 1 - 1e16 is 1, not 0");
    const pressure = new ReadingFilter({ window: { kind: "average", size: 3 } }, () => 0);
    [101325.1, 101325.2].forEach((value) => pressure.offer(value));
    assert.ok(Math.abs(pressure.offer(101325.3)! - 101325.2) < 1e-9);
    const tenths = new ReadingFilter({ window: { kind: "average", size: 3 } }, () => 0);
    [0.1, 0.2].forEach((value) => tenths.offer(value));
    assert.ok(Math.abs(tenths.offer(0.3)! - 0.2) <= Number.EPSILON * 0.2);
    const huge = new ReadingFilter({ window: { kind: "median", size: 2 } }, () => 0);
    huge.offer(Number.MAX_VALUE);
    assert.equal(huge.offer(Number.MAX_VALUE), Number.MAX_VALUE, "no overflow to Infinity");
    const hugeAverage = new ReadingFilter({ window: { kind: "average", size: 2 } }, () => 0);
    hugeAverage.offer(Number.MAX_VALUE);
    assert.equal(hugeAverage.offer(Number.MAX_VALUE), Number.MAX_VALUE, "no overflow to Infinity");
  });
});

describe("reading filters: delta, heartbeat, throttle", () => {
  it("delta: publishes the first value, then changes of at least delta from the last published, negatives too", () => {
    run({ delta: 0.5 }, everySecond([
      [-10, -10], [-10.25, HELD], [-10.5, -10.5], // exactly delta
      [-10.25, HELD], [-10, -10], [-9.5625, HELD], [-9.4375, -9.4375],
      [-9.9375, -9.9375], [-9.5, HELD], // 0.4375 < 0.5
    ]));
  });

  it("delta: compares with the last published value, so a slow creep publishes once it adds up", () => {
    run({ delta: 1 }, everySecond([[0, 0], [0.375, HELD], [0.75, HELD], [1, 1], [1.5, HELD], [0.25, HELD], [0, 0]]));
  });

  it("delta: a change of exactly delta in decimal counts, whatever the doubles say", () => {
    assert.ok(0.3 - 0.2 < 0.1, "the doubles differ by less than 0.1");
    run({ delta: 0.1 }, everySecond([[0.2, 0.2], [0.3, 0.3], [0.2, 0.2], [0.1, 0.1], [0, 0], [-0.1, -0.1], [-0.19, HELD], [-0.2, -0.2]]));
    run({ delta: 0.1 }, everySecond([[21.4, 21.4], [21.45, HELD], [21.5, 21.5], [21.6, 21.6], [21.65, HELD], [21.699, HELD], [21.7, 21.7]]));
  });

  it("delta:0 publishes any change and drops repeats", () => {
    run({ delta: 0 }, everySecond([[20, 20], [20, HELD], [20.0625, 20.0625], [20.0625, HELD], [20, 20]]));
  });

  it("delta applies to the windowed value", () => {
    run({ window: { kind: "average", size: 2 }, delta: 1 }, everySecond([
      [10, 10], [11, HELD], [11, 11], [13, 12], [13, 13], [12.5, HELD], // averages 10 10.5 11 12 13 12.75
    ]));
  });

  it("heartbeat: publishes a steady value every heartbeat ms, counting from the last publish", () => {
    run({ delta: 1, heartbeat: 60_000 }, [
      [0, 20, 20], [10_000, 20, HELD], [50_000, 20, HELD],
      [60_000, 20, 20], // due: the last publish is 60 s old
      [90_000, 21.5, 21.5], // a change: the next heartbeat is due at 150 s
      [120_000, 21.5, HELD], [149_000, 21.5, HELD], [150_000, 21.5, 21.5],
      [205_000, 21.5, HELD], [215_000, 21.5, 21.5], // samples at 10 s: fires at the first one after the due time
    ]);
  });

  it("heartbeat publishes the latest value and makes it delta's reference", () => {
    run({ delta: 1, heartbeat: 60_000 }, [
      [0, 20, 20], [30_000, 20.75, HELD],
      [60_000, 20.75, 20.75], // heartbeat: the reference is now 20.75
      [70_000, 21.5, HELD], // 0.75 from 20.75 (it would be 1.5 from 20)
      [80_000, 21.75, 21.75],
    ]);
  });

  it("throttle: publishes at most once per period and drops the burst in between", () => {
    run({ throttle: 10_000 }, [
      [0, 1, 1], [1000, 2, HELD], [2000, 3, HELD], [9999, 4, HELD],
      [10_000, 5, 5], [10_001, 6, HELD], [15_000, 7, HELD],
      [25_000, 8, 8], // the period counts from the last publish (10 s), not in fixed slots
      [30_000, 9, HELD], [35_000, 10, 10],
    ]);
  });

  it("throttle keeps nothing to replay: a change that lasts is published after the period, a spike that is gone is not", () => {
    run({ delta: 1, throttle: 10_000 }, [
      [0, 20, 20], [2000, 25, HELD], // throttled
      [4000, 20, HELD], [12_000, 20, HELD], // the spike is gone, nothing to publish
      [13_000, 23, 23], [14_000, 26, HELD], [15_000, 26, HELD],
      [23_000, 26, 26], // still 3 from the last published: out at once after the period
    ]);
  });

  it("heartbeat shorter than throttle: throttle wins", () => {
    run({ delta: 1, heartbeat: 5000, throttle: 20_000 }, [
      [0, 20, 20], [5000, 20, HELD], [10_000, 20, HELD], [19_000, 20, HELD], [20_000, 20, 20], [25_000, 20, HELD], [40_000, 20, 20],
    ]);
  });

  it("window, then delta, then heartbeat and throttle, then round", () => {
    run(parseFilter("f", "median:3,delta:0.5,heartbeat:60s,throttle:10s,round:1"), [
      [0, 21.5, 21.5],
      [5000, 21.5625, HELD], // median 21.53125: no change of 0.5
      [10_000, 99, HELD], // median 21.5625: the spike is the median's to remove
      [15_000, 22.25, 22.3], // median of 21.5625 99 22.25 is 22.25: moved 0.75, 15 s after the last publish; rounded
    ]);
    run(parseFilter("f", "median:3,delta:0.5,heartbeat:60s,throttle:10s,round:1"), [
      [0, 21.5, 21.5],
      [5000, 22.5, HELD], // median 22: moved 0.5, but throttled (5 s after the last publish)
      [10_000, 22.5, 22.5], // median 22.5: moved 1 from 21.5, the period is over
      [20_000, 22.5, HELD], [60_000, 22.5, HELD],
      [70_000, 22.4375, 22.5], // heartbeat: median 22.5 again, published, rounded
      [75_000, 22.4375, HELD], [80_000, 22.0625, HELD], // median 22.4375: moved only 0.0625
      [130_000, 22.0625, 22.1], // heartbeat at 60 s: median 22.0625, rounded to 22.1
    ]);
  });

  it("reset forgets the window and the references: the next sample is published as the first", () => {
    const clock = new VirtualTimers();
    const spec: FilterSpec = { window: { kind: "median", size: 3 }, delta: 1, throttle: 60_000 };
    const filter = run(spec, [[0, 20, 20], [1000, 30, HELD], [2000, 30, HELD]], undefined, clock);
    filter.reset();
    run(spec, [[3000, 20.0625, 20.0625], [4000, 20.125, HELD], [70_000, 30, HELD], [71_000, 30, 30]], filter, clock);
  });

  it("a clock that steps back restarts the timing from that sample", () => {
    run({ delta: 1, heartbeat: 60_000, throttle: 10_000 }, [[100_000, 20, 20], [50_000, 20, 20], [55_000, 22, HELD], [60_000, 22, 22]]);
  });
});

describe("reading filters: round and refused samples", () => {
  it("round: half away from zero in decimal terms, published as the nearest double to the decimal", () => {
    const cases: [number, number, number][] = [
      [21.4375, 1, 21.4], [21.4375, 2, 21.44], [21.4375, 0, 21], [21.5, 0, 22], [-21.5, 0, -22], [2.5, 0, 3], [-2.5, 0, -3],
      [1.005, 2, 1.01], [-1.005, 2, -1.01], [0.1 + 0.2, 1, 0.3], [101325.123456, 6, 101325.123456], [123.456, 3, 123.456],
      [1e300, 2, 1e300], [-0.04, 1, 0],
    ];
    for (const [raw, decimals, expected] of cases) {
      const got = new ReadingFilter({ round: decimals }, () => 0).offer(raw);
      assert.ok(Object.is(got, expected), `round:${decimals} of ${raw} is ${expected}, not ${got}`);
    }
    assert.equal(JSON.stringify({ value: new ReadingFilter({ round: 1 }, () => 0).offer(21.35 + 0.05) }), '{"value":21.4}');
  });

  it("round shapes the published value only: delta compares unrounded values", () => {
    run({ delta: 0.5, round: 0 }, everySecond([
      [20.25, 20], [20.625, HELD], [20.75, 21], [21, HELD],
      [21.25, 21], // 0.5 from the unrounded 20.75, though it reads as the 21 published before
    ]));
  });

  it("refuses NaN, infinities and non-numbers, and keeps its state", () => {
    const filter = new ReadingFilter({ window: { kind: "average", size: 2 }, delta: 1 }, () => 0);
    assert.equal(filter.offer(20), 20);
    assert.throws(() => filter.offer(Number.NaN), { name: "RangeError", message: /a reading must be a finite number, not NaN/ });
    assert.throws(() => filter.offer(Infinity), { name: "RangeError", message: /not Infinity/ });
    assert.throws(() => filter.offer(-Infinity), { name: "RangeError", message: /not -Infinity/ });
    assert.throws(() => filter.offer("21" as unknown as number), { name: "TypeError", message: /a reading must be a number, not string/ });
    assert.equal(filter.offer(22), 21, "the window still holds 20 only");
  });

  it("refuses an invalid spec or clock, naming the field", () => {
    const bad: [unknown, RegExp][] = [
      [{ window: { kind: "mean", size: 3 } }, /filter spec window.kind must be "average" or "median", not "mean"/],
      [{ window: { kind: "median", size: 0 } }, /filter spec window.size must be an integer from 1 to 64, not 0/],
      [{ window: { kind: "median", size: 65 } }, /window.size must be an integer from 1 to 64, not 65/],
      [{ window: { kind: "average", size: 2.5 } }, /window.size must be an integer from 1 to 64, not 2.5/],
      [{ delta: -0.1 }, /filter spec delta must be a finite number, 0 or more, not -0.1/],
      [{ delta: Number.NaN }, /filter spec delta must be a finite number, 0 or more, not NaN/],
      [{ delta: "1" }, /filter spec delta must be a number, not "1"/],
      [{ throttle: 0 }, /filter spec throttle must be whole milliseconds from 1 ms to 24 h, not 0/],
      [{ delta: 1, heartbeat: 86_400_001 }, /filter spec heartbeat must be whole milliseconds/],
      [{ round: 7 }, /filter spec round must be an integer from 0 to 6, not 7/],
      [{ heartbeat: 300_000 }, /heartbeat needs a delta .* for one reading every 5m use throttle:5m/],
      [{ median: 5 }, /filter spec has an unknown field "median"/],
      [null, /a filter spec must be an object, not null/],
    ];
    for (const [spec, message] of bad) {
      assert.throws(() => new ReadingFilter(spec as FilterSpec, () => 0), message, JSON.stringify(spec));
      assert.throws(() => formatFilter(spec as FilterSpec), message, JSON.stringify(spec));
    }
    assert.throws(() => new ReadingFilter({}, undefined as unknown as () => number), /needs a now\(\) clock/);
    assert.throws(() => new ReadingFilter({}, () => Number.NaN).offer(1), /now\(\) must return milliseconds, not NaN/);
  });
});

const KEY = "config filter.temperature";

describe("reading filters: config text", () => {
  it("parses each filter, times in ms, s, m and h", () => {
    const cases: [string, FilterSpec][] = [
      ["", {}],
      ["   ", {}],
      ["median:5", { window: { kind: "median", size: 5 } }],
      ["average:64", { window: { kind: "average", size: 64 } }],
      ["delta:0.1", { delta: 0.1 }],
      ["delta:0", { delta: 0 }],
      ["delta:.5", { delta: 0.5 }],
      ["delta:2.", { delta: 2 }],
      ["delta:1e-3", { delta: 0.001 }],
      ["throttle:250", { throttle: 250 }],
      ["throttle:250ms", { throttle: 250 }],
      ["throttle:10s", { throttle: 10_000 }],
      ["throttle:1.5s", { throttle: 1500 }],
      ["throttle:1.1s", { throttle: 1100 }],
      ["throttle:0.5m", { throttle: 30_000 }],
      ["throttle:24h", { throttle: 86_400_000 }],
      ["delta:0.1,heartbeat:5m", { delta: 0.1, heartbeat: 300_000 }],
      ["round:0", { round: 0 }],
      ["median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1",
        { window: { kind: "median", size: 5 }, delta: 0.1, heartbeat: 300_000, throttle: 10_000, round: 1 }],
      [" median : 5 , delta: 0.1 ,round:1 ", { window: { kind: "median", size: 5 }, delta: 0.1, round: 1 }],
    ];
    for (const [text, spec] of cases) assert.deepEqual(parseFilter(KEY, text), spec, text);
  });

  it("formats a spec in pipeline order with the largest whole time unit, and parses it back", () => {
    const cases: [FilterSpec, string][] = [
      [{}, ""],
      [{ window: { kind: "median", size: 5 }, delta: 0.1, heartbeat: 300_000, throttle: 10_000, round: 1 }, "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1"],
      [{ window: { kind: "average", size: 1 } }, "average:1"],
      [{ throttle: 1500 }, "throttle:1500ms"],
      [{ throttle: 5_400_000 }, "throttle:90m"],
      [{ delta: 0, heartbeat: 7_200_000 }, "delta:0,heartbeat:2h"],
      [{ delta: 0.1 + 0.2 }, "delta:0.30000000000000004"],
      [{ delta: 1e-7 }, "delta:1e-7"],
      [{ delta: 1e21 }, "delta:1e+21"],
      [{ delta: 5e-324 }, "delta:5e-324"],
      [{ round: 6 }, "round:6"],
      [{ throttle: 1, delta: 2, window: { kind: "median", size: 2 } }, "median:2,delta:2,throttle:1ms"],
    ];
    for (const [spec, text] of cases) {
      assert.equal(formatFilter(spec), text);
      assert.deepEqual(parseFilter(KEY, formatFilter(spec)), spec, text);
    }
    const random = seededRandom(42);
    for (let i = 0; i < 500; i++) {
      const spec: FilterSpec = {};
      if (random() < 0.7) spec.window = { kind: random() < 0.5 ? "median" : "average", size: 1 + Math.floor(random() * 64) };
      if (random() < 0.7) spec.delta = random() < 0.2 ? 0 : Number((random() * 10).toFixed(Math.floor(random() * 5)));
      if (spec.delta !== undefined && random() < 0.5) spec.heartbeat = 1 + Math.floor(random() ** 3 * 86_400_000);
      if (random() < 0.5) spec.throttle = [1000, 60_000, 3_600_000, 1][Math.floor(random() * 4)] * (1 + Math.floor(random() * 24));
      if (random() < 0.5) spec.round = Math.floor(random() * 7);
      assert.deepEqual(parseFilter(KEY, formatFilter(spec)), spec, formatFilter(spec));
    }
  });

  it("refuses every bad part, naming the key and the part", () => {
    const bad: [string, "TypeError" | "RangeError", RegExp][] = [
      ["median", "TypeError", /"median" is not name:value; filters are average:N, median:N, delta:X/],
      ["median:", "TypeError", /"median:" is not name:value/],
      ["median:5,", "TypeError", /"median:5," has an empty entry/],
      ["median:5,,delta:1", "TypeError", /has an empty entry \(a stray comma\?\)/],
      ["sliding_window_moving_average:5", "TypeError", /unknown filter "sliding_window_moving_average" in "sliding_window_moving_average:5"/],
      ["Median:5", "TypeError", /unknown filter "Median"/],
      ["median:5 3", "TypeError", /"median:5 3" is not name:value/],
      ["median:0", "RangeError", /"median:0": the window size must be an integer from 1 to 64/],
      ["average:65", "RangeError", /"average:65": the window size must be an integer from 1 to 64/],
      ["median:2.5", "TypeError", /"median:2.5": the window size must be an integer/],
      ["median:five", "TypeError", /"median:five": the window size must be an integer/],
      ["median:5,average:3", "TypeError", /"average:3" after "median:5": one window only/],
      ["delta:1,delta:2", "TypeError", /"delta:2" after "delta:1": delta given twice/],
      ["delta:0.1,median:5", "TypeError", /"median:5" must come before "delta:0.1": filters apply in the order window \(average or median\), delta, heartbeat, throttle, round/],
      ["delta:1,round:1,throttle:10s", "TypeError", /"throttle:10s" must come before "round:1"/],
      ["delta:-0.1", "RangeError", /"delta:-0.1": delta must be a finite number, 0 or more/],
      ["delta:abc", "TypeError", /"delta:abc": delta must be a number such as 0.1/],
      ["delta:10%", "TypeError", /"delta:10%": delta must be a number/],
      ["delta:1e999", "RangeError", /"delta:1e999": delta must be a finite number/],
      ["throttle:5x", "TypeError", /"throttle:5x": throttle must be a time: a number with ms, s, m or h \(plain numbers are ms\)/],
      ["throttle:5 s", "TypeError", /"throttle:5 s" is not name:value/],
      ["throttle:5S", "TypeError", /"throttle:5S": throttle must be a time/],
      ["throttle:0s", "RangeError", /"throttle:0s": throttle must be whole milliseconds from 1 ms to 24 h/],
      ["throttle:-5s", "RangeError", /"throttle:-5s": throttle must be whole milliseconds from 1 ms to 24 h/],
      ["throttle:25h", "RangeError", /"throttle:25h": throttle must be whole milliseconds from 1 ms to 24 h/],
      ["throttle:1.0005s", "RangeError", /"throttle:1.0005s": throttle must be whole milliseconds$/],
      ["delta:1,heartbeat:0", "RangeError", /"heartbeat:0": heartbeat must be whole milliseconds/],
      ["heartbeat:5m", "TypeError", /"heartbeat:5m": heartbeat needs a delta \(without one every reading is published anyway\); for one reading every 5m use throttle:5m/],
      ["heartbeat:300s,throttle:1s", "TypeError", /"heartbeat:300s": heartbeat needs a delta.*use throttle:5m/],
      ["round:7", "RangeError", /"round:7": decimals must be an integer from 0 to 6/],
      ["round:1.5", "TypeError", /"round:1.5": round takes a number of decimals, an integer from 0 to 6/],
      ["round:-1", "RangeError", /"round:-1": decimals must be an integer from 0 to 6/],
      ["median:-3", "RangeError", /"median:-3": the window size must be an integer from 1 to 64/],
    ];
    for (const [text, name, message] of bad) {
      assert.throws(() => parseFilter(KEY, text), (error: Error) => {
        assert.equal(error.name, name, `${text}: ${error.message}`);
        assert.ok(error.message.startsWith(`${KEY}: `), `${text}: names the key: ${error.message}`);
        assert.match(error.message, message, text);
        return true;
      }, text);
    }
    assert.throws(() => parseFilter(KEY, 5 as unknown as string), { name: "TypeError", message: `${KEY} must be a string like "median:5,delta:0.1,heartbeat:5m,throttle:10s,round:1", not number` });
  });
});
