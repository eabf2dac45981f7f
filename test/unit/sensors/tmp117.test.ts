/*
 * TMP117 driver against the register-level model, and both against the
 * datasheet's own numbers (TI SNOSD82D: Table 7-1 temperature examples, the
 * register map's reset values, the conversion cycle time table of 7.4.1),
 * so the driver and the model cannot share one wrong guess.
 *
 * The models run on a clock that follows real time plus a skew the tests
 * advance, so a test can jump over conversion cycles; the driver's waits are
 * real timers.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulatedI2CBus } from "../../../sim/devices/board";
import { SimulatedI2C, SimulatedSMBus } from "../../../sim/devices/i2c";
import { LM75Model } from "../../../sim/devices/lm75";
import { TMP102Model } from "../../../sim/devices/tmp102";
import { TMP117Model, tmp117Encode } from "../../../sim/devices/tmp117";
import { SensorError } from "../../../src/sensors/errors";
import TMP117, { probeTMP117, tmp117Celsius } from "../../../src/sensors/tmp117";
import { attachModel, delay, i2cPlaces, sampleOnce } from "../../helpers/sensors";

// Table 7-1: temperature -> result register (7.8125 m degC per LSB).
const TABLE_7_1: [number, number][] = [
  [-256, 0x8000], [-25, 0xf380], [-0.125, 0xfff0], [-0.0078125, 0xffff], [0, 0x0000], [0.0078125, 0x0001],
  [0.125, 0x0010], [1, 0x0080], [25, 0x0c80], [100, 0x3200], [255.9921875, 0x7fff],
];

// 7.4.1, conversion cycle time in continuous mode, ms: rows CONV 000..111, columns AVG 00..11.
const CYCLE_TABLE: number[][] = [
  [15.5, 125, 500, 1000], [125, 125, 500, 1000], [250, 250, 500, 1000], [500, 500, 500, 1000],
  [1000, 1000, 1000, 1000], [4000, 4000, 4000, 4000], [8000, 8000, 8000, 8000], [16000, 16000, 16000, 16000],
];

// Ports 30..39, addresses 0x48..0x4b: a fresh place for every chip.
const nextPlace = i2cPlaces(30, 0x48, 4);

/**
 * A TMP117 model, powered up now, on a fresh place. Its clock is real time
 * plus a skew that `advance` adds to, or (frozen) only the skew, for tests of
 * exact timing.
 */
function chipOnBus(start = 21.5, { frozen = false } = {}) {
  const state = { temperature: start };
  const model = new TMP117Model({ temperature: () => state.temperature });
  const attached = attachModel(nextPlace(), model, { frozen });
  model.peek(0x0f); // power-up
  return { ...attached, state, model };
}

describe("TMP117 model follows the datasheet", () => {
  for (const [celsius, word] of TABLE_7_1) {
    it(`Table 7-1: ${celsius} degC is 0x${word.toString(16).padStart(4, "0")}`, () => assert.equal(tmp117Encode(celsius), word));
  }

  it("powers up with the register map's reset values and -256 degC until the first conversion (7.3.1, 7.6)", () => {
    const { model, advance } = chipOnBus(22, { frozen: true });
    assert.equal(model.peek(0x01), 0x0220);
    assert.equal(model.peek(0x02), 0x6000);
    assert.equal(model.peek(0x03), 0x8000);
    assert.equal(model.peek(0x04), 0x0000);
    assert.equal(model.peek(0x07), 0x0000);
    assert.equal(model.peek(0x0f), 0x0117);
    assert.equal(model.peek(0x00), 0x8000);
    // Factory setting: AVG = 01 (8 x 15.5 ms), so the first result lands 1.5 + 124 ms after power-up.
    advance(120);
    assert.equal(model.peek(0x00), 0x8000);
    advance(10);
    assert.equal(model.peek(0x00), tmp117Encode(22));
    assert.equal(model.peek(0x01) & 0x2000, 0x2000, "Data_Ready set");
  });

  it("clears Data_Ready when the result or the configuration register is read (7.6)", () => {
    const { model, advance, raw } = chipOnBus(21.5, { frozen: true });
    advance(200);
    assert.ok(model.peek(0x01) & 0x2000);
    raw.write(Uint8Array.of(0x00), false);
    raw.read(2);
    assert.equal(model.peek(0x01) & 0x2000, 0);
    advance(1000);
    assert.ok(model.peek(0x01) & 0x2000);
    raw.write(Uint8Array.of(0x01), false);
    raw.read(2);
    assert.equal(model.peek(0x01) & 0x2000, 0);
  });

  for (const [conv, avg] of [[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [3, 2], [0, 3], [4, 0], [5, 2]]) {
    const cycle = CYCLE_TABLE[conv][avg];
    it(`CONV=${conv} AVG=${avg}: a result every ${cycle} ms (7.4.1)`, () => {
      const { model, advance, write16 } = chipOnBus(21.5, { frozen: true });
      advance(10);
      write16(0x01, (conv << 7) | (avg << 5));
      const active = 15.5 * [1, 8, 32, 64][avg];
      advance(active + 0.5); // first result of the new cycle
      assert.ok(model.peek(0x01) & 0x2000, "first result after the active conversion");
      model.read(2); // pointer still 01h: clears Data_Ready
      advance(cycle - 1);
      assert.equal(model.peek(0x01) & 0x2000, 0, "no result before a cycle");
      advance(1);
      assert.ok(model.peek(0x01) & 0x2000, "a result after a cycle");
    });
  }

  it("keeps MOD 10 as continuous and reads it back as 00; a one-shot ends in shutdown (7.4.3)", () => {
    const { model, advance, write16 } = chipOnBus(21.5, { frozen: true });
    advance(5);
    write16(0x01, 0x0800 | 0x0220);
    assert.equal(model.peek(0x01) & 0x0c00, 0x0000);
    write16(0x01, 0x0400 | 0x0200); // shutdown, AVG = 00
    write16(0x01, 0x0c00 | 0x0200); // one-shot
    assert.equal(model.peek(0x01) & 0x0c00, 0x0c00);
    advance(16);
    assert.equal(model.peek(0x01) & 0x0c00, 0x0400);
    assert.ok(model.peek(0x01) & 0x2000);
  });

  it("soft reset reads back 0, reloads the EEPROM and reads -256 degC again (7.3.1, 7.5.1)", () => {
    const { model, advance, write16 } = chipOnBus(30, { frozen: true });
    advance(200);
    write16(0x02, 0x1000);
    write16(0x01, 0x0000);
    write16(0x01, 0x0002);
    assert.equal(model.peek(0x01), 0x0220);
    assert.equal(model.peek(0x02), 0x6000);
    assert.equal(model.peek(0x00), 0x8000);
    advance(2 + 124 + 1);
    assert.equal(model.peek(0x00), tmp117Encode(30));
  });

  it("programs the EEPROM only while unlocked, busy for 7 ms (7.5.1.2)", () => {
    const { model, advance, write16 } = chipOnBus(21.5, { frozen: true });
    write16(0x02, 0x1400); // locked: the register only
    assert.equal(model.eepromCells.highLimit, 0x6000);
    write16(0x04, 0x8000); // EUN
    write16(0x02, 0x1400);
    assert.equal(model.eepromCells.highLimit, 0x1400);
    assert.equal(model.peek(0x04), 0xc000, "EUN and eeprom_busy");
    assert.ok(model.peek(0x01) & 0x1000, "EEPROM_Busy");
    advance(8);
    assert.equal(model.peek(0x04), 0x8000);
    write16(0x04, 0x0000);
    write16(0x01, 0x0002); // soft reset reloads 1400h
    assert.equal(model.peek(0x02), 0x1400);
  });
});

describe("TMP117 driver converts as the datasheet says", () => {
  for (const [celsius, word] of TABLE_7_1) {
    it(`Table 7-1: 0x${word.toString(16).padStart(4, "0")} is ${celsius} degC`, () => assert.equal(tmp117Celsius(word), celsius));
  }

  it("reads points across the range through I2C and SMBus", () => {
    for (const io of [SimulatedI2C, SimulatedSMBus]) {
      const { state, bus, advance } = chipOnBus();
      advance(200);
      const sensor = new TMP117({ sensor: { ...bus, io } });
      for (const celsius of [-55, -25, -0.125, -0.0078125, 0, 0.0078125, 1, 25, 100, 150]) {
        state.temperature = celsius;
        advance(1000);
        assert.equal(sensor.sample()?.temperature, celsius);
      }
      sensor.close();
    }
  });

  it("rounds to the chip's 7.8125 m degC", () => {
    const { state, bus, advance } = chipOnBus();
    advance(200);
    const sensor = new TMP117({ sensor: bus });
    state.temperature = 21.53;
    advance(1000);
    assert.equal(sensor.sample()?.temperature, 21.53125);
    state.temperature = -10.006; // -1280.77 LSB
    advance(1000);
    assert.equal(sensor.sample()?.temperature, -10.0078125);
    sensor.close();
  });

  it("never reports the power-up -256 degC: sample() says busy, sample(callback) waits for the first conversion", async () => {
    const { bus } = chipOnBus(19.25);
    const errors: SensorError[] = [];
    const sensor = new TMP117({ sensor: bus, onError: (error) => errors.push(error) });
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "busy");
    assert.match(errors[0]?.message ?? "", /-256/);
    const [error, sample] = await sampleOnce(sensor);
    assert.equal(error, undefined);
    assert.deepEqual(sample, { temperature: 19.25 });
    sensor.close();
  });

  it("throws the fault from sample() when there is no onError", () => {
    const { bus } = chipOnBus();
    const sensor = new TMP117({ sensor: bus });
    assert.throws(() => sensor.sample(), (error: unknown) => error instanceof SensorError && error.reason === "busy");
    sensor.close();
  });
});

describe("TMP117 driver: configuration", () => {
  it("writes each setting to its field of the configuration and limit registers, leaving the others", () => {
    const { model, bus } = chipOnBus();
    const sensor = new TMP117({ sensor: bus });
    sensor.configure({ averaging: 32 });
    assert.equal(model.peek(0x01) & 0x0fff, 0x0240); // CONV = 100 kept, AVG = 10
    sensor.configure({ conversionCycle: 4000 });
    assert.equal(model.peek(0x01) & 0x0fff, 0x02c0); // CONV = 101, AVG = 10 kept
    sensor.configure({ mode: "oneShot" });
    assert.equal(model.peek(0x01) & 0x0fff, 0x06c0); // MOD = 01
    sensor.configure({ mode: "continuous", averaging: 1, conversionCycle: 15.5 });
    assert.equal(model.peek(0x01) & 0x0fff, 0x0000);
    sensor.configure({ highLimit: 30, lowLimit: -10.5 });
    assert.equal(model.peek(0x02), 0x0f00);
    assert.equal(model.peek(0x03), 0xfac0);
    assert.equal(model.peek(0x01) & 0x0fff, 0x0000);
    sensor.close();
  });

  it("moves the averaging down as well as up (the SDK driver's AVG/AVE mask typo could only add bits)", () => {
    const { model, bus } = chipOnBus();
    const sensor = new TMP117({ sensor: bus });
    sensor.configure({ averaging: 64 });
    assert.equal(model.peek(0x01) & 0x0060, 0x0060);
    sensor.configure({ averaging: 8 });
    assert.equal(model.peek(0x01) & 0x0060, 0x0020);
    sensor.close();
  });

  it("refuses bad options, naming them, and changes nothing", () => {
    const { model, bus } = chipOnBus();
    const sensor = new TMP117({ sensor: bus });
    assert.throws(() => sensor.configure({ mode: "fast" as "oneShot" }), /mode must be "continuous" or "oneShot"/);
    assert.throws(() => sensor.configure({ averaging: 16 as 8 }), /averaging must be 1, 8, 32 or 64/);
    assert.throws(() => sensor.configure({ conversionCycle: 100 as 125 }), /conversionCycle must be one of/);
    assert.throws(() => sensor.configure({ averaging: 8, highLimit: 300 }), /highLimit must be -256 to 255.9921875/);
    assert.throws(() => sensor.configure({ lowLimit: Number.NaN }), /lowLimit must be/);
    assert.throws(() => sensor.configure(null as never), /needs an options object/);
    assert.equal(model.peek(0x01) & 0x0fff, 0x0220);
    assert.equal(model.peek(0x02), 0x6000);
    assert.throws(() => new TMP117({ sensor: { ...bus, address: 0x40 } }), /address must be 0x48 to 0x4b/);
    assert.throws(() => new TMP117({} as never), /options.sensor must be an I2C bus/);
    assert.throws(() => new TMP117({ sensor: bus, onError: 5 as never }), /onError must be a function/);
    sensor.close();
  });

  it("reports no chip, or another chip, at the address as absent", () => {
    assert.throws(() => new TMP117({ sensor: { io: SimulatedI2C, data: 21, clock: 22, ...nextPlace() } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent");
    const place = nextPlace();
    simulatedI2CBus(place.port).attach(place.address, new TMP102Model({ temperature: () => 20 }));
    assert.throws(() => new TMP117({ sensor: { io: SimulatedI2C, data: 21, clock: 22, ...place } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent" && /Device_ID/.test(error.message));
  });
});

describe("TMP117 driver: asynchronous sample and faults", () => {
  it("one-shot mode: each sample(callback) converts once and the chip sleeps again", async () => {
    const { model, state, bus } = chipOnBus(10);
    const sensor = new TMP117({ sensor: bus });
    sensor.configure({ mode: "oneShot", averaging: 1 });
    let returned = false;
    const first = new Promise<[unknown, unknown, boolean]>((resolve) => sensor.sample((error, sample) => resolve([error, sample, returned])));
    returned = true;
    assert.equal(model.peek(0x01) & 0x0c00, 0x0c00, "one-shot under way");
    assert.deepEqual(await first, [undefined, { temperature: 10 }, true]);
    assert.equal(model.peek(0x01) & 0x0c00, 0x0400, "back in shutdown");
    state.temperature = -12.5;
    assert.deepEqual(await sampleOnce(sensor), [undefined, { temperature: -12.5 }]);
    assert.equal(sensor.sample()?.temperature, -12.5, "sample() returns the last one-shot result");
    sensor.close();
  });

  it("does not block the event loop: a timer set before a slow one-shot fires during it", async () => {
    const { bus } = chipOnBus(23);
    const sensor = new TMP117({ sensor: bus });
    sensor.configure({ mode: "oneShot", averaging: 8 }); // 124 ms
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 20);
    const started = Date.now();
    const [, sample] = await sampleOnce(sensor);
    order.push("sample");
    assert.deepEqual(order, ["timer", "sample"]);
    assert.deepEqual(sample, { temperature: 23 });
    assert.ok(Date.now() - started >= 124, "waited the averaged conversion time");
    sensor.close();
  });

  it("continuous mode: sample(callback) gives a result not read before, waiting for the next one if needed", async () => {
    const { state, bus, advance } = chipOnBus(5);
    advance(200);
    const sensor = new TMP117({ sensor: bus });
    sensor.configure({ averaging: 1, conversionCycle: 15.5 });
    assert.deepEqual(await sampleOnce(sensor), [undefined, { temperature: 5 }]);
    state.temperature = 6;
    assert.deepEqual(await sampleOnce(sensor), [undefined, { temperature: 6 }], "waited for a fresh conversion");
    // Two callers at once share one conversion.
    const both = await Promise.all([sampleOnce(sensor), sampleOnce(sensor)]);
    assert.deepEqual(both, [[undefined, { temperature: 6 }], [undefined, { temperature: 6 }]]);
    sensor.close();
  });

  it("reports a chip that never finishes converting as busy, and recovers", async () => {
    const { model, bus } = chipOnBus(18);
    const sensor = new TMP117({ sensor: bus });
    sensor.configure({ mode: "oneShot", averaging: 1 });
    model.faults = { busy: true };
    const [error, sample] = await sampleOnce(sensor);
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "busy");
    model.faults = {};
    assert.deepEqual(await sampleOnce(sensor), [undefined, { temperature: 18 }]);
    sensor.configure({ mode: "continuous", conversionCycle: 15.5 });
    await sampleOnce(sensor);
    model.faults = { busy: true };
    assert.equal((await sampleOnce(sensor))[0]?.reason, "busy", "continuous mode: no Data_Ready within the cycle");
    model.faults = {};
    assert.deepEqual(await sampleOnce(sensor), [undefined, { temperature: 18 }]);
    sensor.close();
  });

  it("reports an impossible reading as a range fault, not as a temperature", async () => {
    const { model, bus, advance } = chipOnBus();
    advance(200);
    const errors: SensorError[] = [];
    const sensor = new TMP117({ sensor: bus, onError: (error) => errors.push(error) });
    model.faults = { outOfRange: true };
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "range");
    advance(1000);
    const [error, sample] = await sampleOnce(sensor);
    assert.equal(error?.reason, "range");
    assert.equal(sample, undefined);
    model.faults = {};
    assert.equal(sensor.sample()?.temperature, 21.5);
    sensor.close();
  });

  it("reports a NACK as absent and a broken transfer as bus, through onError and the callback, and recovers", async () => {
    const { model, bus, advance } = chipOnBus(19.5);
    advance(200);
    const errors: SensorError[] = [];
    const sensor = new TMP117({ sensor: bus, onError: (error) => errors.push(error) });
    model.faults = { absent: true };
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "absent");
    assert.match(errors[0]?.message ?? "", /not acknowledged/);
    const [error] = await sampleOnce(sensor);
    assert.equal(error?.reason, "absent");
    model.faults = { busErrorAfter: 1 };
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[1]?.reason, "bus");
    assert.deepEqual(sensor.sample(), { temperature: 19.5 });
    sensor.close();
  });

  it("close() is safe twice, abandons a sample under way, and sampling after it fails", async () => {
    const { bus } = chipOnBus();
    const sensor = new TMP117({ sensor: bus });
    sensor.configure({ mode: "oneShot", averaging: 1 });
    let called = false;
    sensor.sample(() => { called = true; });
    sensor.close();
    sensor.close();
    await delay(40);
    assert.equal(called, false);
    assert.throws(() => sensor.sample(), /closed/);
    assert.throws(() => sensor.configure({}), /closed/);
  });
});

describe("TMP117 probe", () => {
  it("answers true for a TMP117 (Device_ID 117h) and false for a TMP102, an LM75 or nothing", () => {
    const tmp117 = chipOnBus();
    assert.equal(probeTMP117(tmp117.raw), true);
    for (const other of [new TMP102Model({ temperature: () => 20 }), new LM75Model({ temperature: () => 20 })]) {
      const place = nextPlace();
      simulatedI2CBus(place.port).attach(place.address, other);
      assert.equal(probeTMP117(new SimulatedI2C({ ...place })), false);
    }
    const empty = nextPlace();
    assert.equal(probeTMP117(new SimulatedI2C({ ...empty })), false);
  });
});
