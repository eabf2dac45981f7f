/*
 * LM75 driver against the register-level model (NXP LM75B and classic
 * 9-bit LM75 variants), and both against the datasheets' own numbers:
 * NXP LM75B Table 10 (11-bit Temp values), Table 13 and the classic LM75's
 * 9-bit table (Tos/Thyst and 9-bit Temp values), Table 5 power-up values.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulatedI2CBus } from "../../../sim/devices/board";
import { SimulatedI2C, SimulatedSMBus } from "../../../sim/devices/i2c";
import { LM75Model, lm75Encode, type LM75Variant } from "../../../sim/devices/lm75";
import { TMP102Model } from "../../../sim/devices/tmp102";
import { TMP117Model } from "../../../sim/devices/tmp117";
import { SensorError } from "../../../src/sensors/errors";
import LM75, { lm75Celsius, type LM75Options, probeLM75 } from "../../../src/sensors/lm75";
import { attachModel, i2cPlaces, sampleOnce } from "../../helpers/sensors";
import { convertingThermometerContract } from "./converting-thermometer.contract";

// NXP LM75B Table 10: 11-bit Temp data (D10..D0) -> degrees C.
const TABLE_10: [number, number][] = [
  [0x3f8, 127], [0x3f7, 126.875], [0x3f1, 126.125], [0x3e8, 125], [0x0c8, 25], [0x001, 0.125],
  [0x000, 0], [0x7ff, -0.125], [0x738, -25], [0x649, -54.875], [0x648, -55],
];
// NXP LM75B Table 13 / National LM75 temperature data format: 9-bit data (D8..D0) -> degrees C.
const NINE_BIT: [number, number][] = [
  [0x0fa, 125], [0x032, 25], [0x001, 0.5], [0x000, 0], [0x1ff, -0.5], [0x1ce, -25], [0x192, -55],
];

// Ports 30..39, addresses 0x48..0x4f.
const nextPlace = i2cPlaces(30, 0x48, 8);

/** An LM75 model, powered up now; clock = real time + skew (or only the skew, frozen). */
function chipOnBus(start = 21.5, { variant = "lm75b" as LM75Variant, frozen = false } = {}) {
  const state = { temperature: start };
  const model = new LM75Model({ temperature: () => state.temperature }, { variant });
  const attached = attachModel(nextPlace(), model, { frozen });
  model.register(1); // power-up
  return { ...attached, state, model };
}

describe("LM75 model follows the datasheets", () => {
  for (const [data, celsius] of TABLE_10) {
    it(`LM75B Table 10: ${celsius} degC reads Temp data 0x${data.toString(16)}`, () => assert.equal(lm75Encode(celsius, "lm75b"), data << 5));
  }
  for (const [data, celsius] of NINE_BIT) {
    it(`LM75: ${celsius} degC reads 9-bit data 0x${data.toString(16)}`, () => assert.equal(lm75Encode(celsius, "lm75"), data << 7));
  }

  it("powers up with Conf 00h, Thyst 4B00h (75 degC), Tos 5000h (80 degC), converting every 100 ms (NXP Table 5, 7.1)", () => {
    const { model, advance } = chipOnBus(23.125, { frozen: true });
    assert.equal(model.register(1), 0x00);
    assert.equal(model.register(2), 0x4b00);
    assert.equal(model.register(3), 0x5000);
    assert.equal(model.register(0), 0x0000, "no conversion yet");
    advance(99);
    assert.equal(model.register(0), 0x0000);
    advance(1);
    assert.equal(model.register(0), lm75Encode(23.125));
  });

  it("keeps Conf B7..B5 at 0 and the 7 LSBs of Tos/Thyst at 0; reads Conf one byte per byte", () => {
    const { model, raw } = chipOnBus();
    raw.write(Uint8Array.of(0x01, 0xff));
    assert.equal(model.register(1), 0x1f);
    raw.write(Uint8Array.of(0x03, 0x5a, 0xff));
    assert.equal(model.register(3), 0x5a80);
    raw.write(Uint8Array.of(0x01), false);
    assert.deepEqual([...new Uint8Array(raw.read(2))], [0x1f, 0x1f]);
  });

  it("stops converting in shutdown and starts again 100 ms after waking", () => {
    const { model, raw, state, advance } = chipOnBus(20, { frozen: true });
    advance(100);
    raw.write(Uint8Array.of(0x01, 0x01));
    state.temperature = 30;
    advance(500);
    assert.equal(model.register(0), lm75Encode(20), "holds the last result");
    raw.write(Uint8Array.of(0x01, 0x00));
    advance(99);
    assert.equal(model.register(0), lm75Encode(20));
    advance(1);
    assert.equal(model.register(0), lm75Encode(30));
  });

  it("classic LM75: 9-bit data with D6..D0 undefined (here 1010101b)", () => {
    const { model, advance } = chipOnBus(-25, { variant: "lm75", frozen: true });
    advance(100);
    assert.equal(model.register(0), 0xe755);
  });
});

describe("LM75 driver converts as the datasheets say", () => {
  for (const [data, celsius] of TABLE_10) {
    it(`11-bit: Temp data 0x${data.toString(16)} is ${celsius} degC`, () => assert.equal(lm75Celsius(data << 5, 11), celsius));
  }
  for (const [data, celsius] of NINE_BIT) {
    it(`9-bit: data 0x${data.toString(16)} is ${celsius} degC, whatever D6..D0 hold`, () => {
      assert.equal(lm75Celsius(data << 7, 9), celsius);
      assert.equal(lm75Celsius((data << 7) | 0x7f, 9), celsius);
    });
  }

  it("reads points across the range of an LM75B through I2C and SMBus", async () => {
    for (const io of [SimulatedI2C, SimulatedSMBus]) {
      const { state, bus, advance } = chipOnBus(0);
      const sensor = new LM75({ sensor: { ...bus, io } });
      await sampleOnce(sensor);
      for (const celsius of [-55, -54.875, -25, -0.125, 0, 0.125, 25, 100, 124.875, 125]) {
        state.temperature = celsius;
        advance(100);
        assert.equal(sensor.sample()?.temperature, celsius);
      }
      sensor.close();
    }
  });

  it("reads a classic LM75 at 9 bits, ignoring its undefined D6..D0", async () => {
    const { state, bus, advance } = chipOnBus(0, { variant: "lm75" });
    const sensor = new LM75({ sensor: bus });
    sensor.configure({ resolution: 9 });
    await sampleOnce(sensor);
    for (const celsius of [-55, -25, -0.5, 0, 0.5, 25, 125]) {
      state.temperature = celsius;
      advance(100);
      assert.equal(sensor.sample()?.temperature, celsius);
    }
    state.temperature = 21.3;
    advance(100);
    assert.equal(sensor.sample()?.temperature, 21.5, "rounded to 0.5 degC");
    sensor.close();
  });

  it("waits for the first conversion: sample() says busy at first, sample(callback) waits", async () => {
    const { bus } = chipOnBus(17.375);
    const errors: SensorError[] = [];
    const sensor = new LM75({ sensor: bus, onError: (error) => errors.push(error) });
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "busy");
    const started = Date.now();
    let returned = false;
    const result = new Promise<[unknown, unknown, boolean]>((resolve) => sensor.sample((error, sample) => resolve([error, sample, returned])));
    returned = true;
    assert.deepEqual(await result, [undefined, { temperature: 17.375 }, true]);
    assert.ok(Date.now() - started >= 100);
    assert.equal(sensor.sample()?.temperature, 17.375);
    sensor.close();
  });
});

describe("LM75 driver: configuration", () => {
  it("writes each setting to its Conf bits or limit register, leaving the others", () => {
    const { model, bus } = chipOnBus();
    const sensor = new LM75({ sensor: bus });
    sensor.configure({ osMode: "interrupt" });
    assert.equal(model.register(1), 0x02);
    sensor.configure({ osPolarity: "high", faultQueue: 4 });
    assert.equal(model.register(1), 0x16);
    sensor.configure({ faultQueue: 6 });
    assert.equal(model.register(1), 0x1e);
    sensor.configure({ shutdown: true });
    assert.equal(model.register(1), 0x1f);
    sensor.configure({ shutdown: false, osMode: "comparator", osPolarity: "low", faultQueue: 1 });
    assert.equal(model.register(1), 0x00);
    sensor.configure({ overTemperature: 90.5, hysteresis: -10 });
    assert.equal(model.register(3), 0x5a80);
    assert.equal(model.register(2), 0xf600);
    sensor.configure({ overTemperature: 125, hysteresis: -55 });
    assert.equal(model.register(3), 0x0fa << 7);
    assert.equal(model.register(2), 0x192 << 7);
    sensor.close();
  });

  it("refuses bad options, naming them, and changes nothing", () => {
    const { model, bus } = chipOnBus();
    const sensor = new LM75({ sensor: bus });
    assert.throws(() => sensor.configure({ resolution: 12 as 11 }), /resolution must be 9 or 11/);
    assert.throws(() => sensor.configure({ shutdown: "yes" as never }), /shutdown must be true or false/);
    assert.throws(() => sensor.configure({ osMode: "edge" as never }), /osMode must be/);
    assert.throws(() => sensor.configure({ osPolarity: 1 as never }), /osPolarity must be/);
    assert.throws(() => sensor.configure({ faultQueue: 3 as 2 }), /faultQueue must be 1, 2, 4 or 6/);
    assert.throws(() => sensor.configure({ shutdown: true, overTemperature: 130 }), /overTemperature must be -55 to 125/);
    assert.throws(() => sensor.configure({ hysteresis: Number.NaN }), /hysteresis must be/);
    assert.throws(() => sensor.configure(undefined as never), /needs an options object/);
    assert.equal(model.register(1), 0x00);
    assert.equal(model.register(3), 0x5000);
    assert.throws(() => new LM75({ sensor: { ...bus, address: 0x50 } }), /address must be 0x48 to 0x4f/);
    assert.throws(() => new LM75({ sensor: {} as never }), /options.sensor must be an I2C bus/);
    sensor.close();
  });

  it("reports no chip, or a TMP102, at the address as absent", () => {
    assert.throws(() => new LM75({ sensor: { io: SimulatedI2C, data: 21, clock: 22, ...nextPlace() } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent");
    const place = nextPlace();
    simulatedI2CBus(place.port).attach(place.address, new TMP102Model({ temperature: () => 20 }));
    assert.throws(() => new LM75({ sensor: { io: SimulatedI2C, data: 21, clock: 22, ...place } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent" && /0x60/.test(error.message));
  });
});

convertingThermometerContract({
  name: "LM75",
  chipOnBus: (start) => chipOnBus(start),
  open: (bus, onError) => new LM75({ sensor: bus as LM75Options["sensor"], onError }),
  sleepy: async (bus) => {
    const sensor = new LM75({ sensor: bus as LM75Options["sensor"] });
    await sampleOnce(sensor); // the first conversion after power-up
    sensor.configure({ shutdown: true });
    return sensor;
  },
  shutdownBit: 0x01,
  settleMs: 150,
});

describe("LM75 probe", () => {
  it("answers true for an LM75B and a classic LM75, also with limits other than the power-up ones", () => {
    const lm75b = chipOnBus();
    assert.equal(probeLM75(lm75b.raw), true);
    const classic = chipOnBus(20, { variant: "lm75" });
    assert.equal(probeLM75(classic.raw), true);
    classic.raw.write(Uint8Array.of(0x03, 0x3c, 0x00)); // Tos 60 degC
    classic.raw.write(Uint8Array.of(0x02, 0x32, 0x00)); // Thyst 50 degC
    assert.equal(probeLM75(classic.raw), true);
  });

  it("answers false for a TMP102 (Conf byte 60h), a TMP117 (limit 8000h), limits both 0, or nothing", () => {
    for (const other of [new TMP102Model({ temperature: () => 20 }), new TMP117Model({ temperature: () => 20 })]) {
      const place = nextPlace();
      simulatedI2CBus(place.port).attach(place.address, other);
      assert.equal(probeLM75(new SimulatedI2C({ ...place })), false, other.name);
    }
    const zeroed = chipOnBus();
    zeroed.raw.write(Uint8Array.of(0x03, 0x00, 0x00));
    zeroed.raw.write(Uint8Array.of(0x02, 0x00, 0x00));
    assert.equal(probeLM75(zeroed.raw), false);
    assert.equal(probeLM75(new SimulatedI2C({ ...nextPlace() })), false);
  });
});
