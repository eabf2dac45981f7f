/*
 * BME280 driver against the register-level model, and both against numbers
 * from outside this project: the worked example of Bosch's BMP280 datasheet
 * (BST-BMP280-DS001, 3.12; the BME280's temperature and pressure
 * compensation is the BMP280's, BME280 datasheet 5.2), a published vector
 * computed with the BME280 datasheet's double formulas (pimoroni/bme280-python
 * tests), and BigInt ports here of the BME280 datasheet's integer code
 * (4.2.3) that wrap as C's int32 does.
 *
 * I2C ports 50 to 59.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulatedI2CBus } from "../../../sim/devices/board";
import type { I2CTarget } from "../../../sim/devices/bus";
import { BME280_TRIMMING, BME280Model, type BME280Trimming, bme280TypicalMeasurementTime } from "../../../sim/devices/bme280";
import type { ChipFaults } from "../../../sim/devices/chip";
import { SimulatedI2C, SimulatedSMBus } from "../../../sim/devices/i2c";
import BME280, {
  type BME280Calibration, bme280CompensateHumidity, bme280CompensatePressure, bme280CompensateTemperature,
  bme280MeasurementTime, parseBME280Calibration, probeBME280,
} from "../../../src/sensors/bme280";
import { SensorError } from "../../../src/sensors/errors";
import type { CombinedSample } from "../../../src/sensors/sensor";

// ---- references: the datasheet's integer code (4.2.3) with C's int32/int64 semantics, in BigInt

const i32 = (x: bigint) => BigInt.asIntN(32, x);
const big = (c: BME280Calibration) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, BigInt(v)])) as Record<keyof BME280Calibration, bigint>;

/** BME280_compensate_T_int32: [t_fine, T in 0.01 degC]. */
function referenceTemperature(calibration: BME280Calibration, adcT: number): [number, number] {
  const c = big(calibration), adc = BigInt(adcT);
  const var1 = i32(i32(i32((adc >> 3n) - i32(c.T1 << 1n)) * c.T2) >> 11n);
  const d = i32((adc >> 4n) - c.T1);
  const var2 = i32(i32(i32(i32(d * d) >> 12n) * c.T3) >> 14n);
  const tFine = i32(var1 + var2);
  return [Number(tFine), Number(i32(i32(tFine * 5n + 128n) >> 8n))];
}

/** BME280_compensate_P_int64: Pa in Q24.8. */
function referencePressure(calibration: BME280Calibration, adcP: number, tFine: number): bigint {
  const c = big(calibration);
  let var1 = BigInt(tFine) - 128000n;
  let var2 = var1 * var1 * c.P6;
  var2 += (var1 * c.P5) << 17n;
  var2 += c.P4 << 35n;
  var1 = ((var1 * var1 * c.P3) >> 8n) + ((var1 * c.P2) << 12n);
  var1 = (((1n << 47n) + var1) * c.P1) >> 33n;
  if (var1 === 0n) return 0n;
  let p = 1048576n - BigInt(adcP);
  p = (((p << 31n) - var2) * 3125n) / var1;
  var1 = (c.P9 * (p >> 13n) * (p >> 13n)) >> 25n;
  var2 = (c.P8 * p) >> 19n;
  return ((p + var1 + var2) >> 8n) + (c.P7 << 4n);
}

/** bme280_compensate_H_int32: %RH in Q22.10. */
function referenceHumidity(calibration: BME280Calibration, adcH: number, tFine: number): number {
  const c = big(calibration);
  let v = i32(BigInt(tFine) - 76800n);
  const left = i32(i32(i32(i32(i32(BigInt(adcH) << 14n) - i32(c.H4 << 20n)) - i32(c.H5 * v)) + 16384n) >> 15n);
  const inner = i32(i32(i32(i32(i32(v * c.H6) >> 10n) * i32(i32(i32(v * c.H3) >> 11n) + 32768n)) >> 10n) + 2097152n);
  const right = i32(i32(i32(inner * c.H2) + 8192n) >> 14n);
  v = i32(left * right);
  v = i32(v - i32(i32(i32(i32(i32((v >> 15n) * (v >> 15n)) >> 7n) * c.H1)) >> 4n));
  if (v < 0n) v = 0n;
  if (v > 419430400n) v = 419430400n;
  return Number(v >> 12n);
}

/** The datasheet's double-precision humidity (8.1). */
function doubleHumidity(c: BME280Calibration, adcH: number, tFine: number): number {
  let h = tFine - 76800;
  h = (adcH - (c.H4 * 64 + c.H5 / 16384 * h)) * (c.H2 / 65536 * (1 + c.H6 / 67108864 * h * (1 + c.H3 / 67108864 * h)));
  h = h * (1 - c.H1 * h / 524288);
  return Math.min(100, Math.max(0, h));
}

/** The 32-bit fixed-point pressure of 8.2, for the comparison that justified not using it. */
function fixed32Pressure(c: BME280Calibration, adcP: number, tFine: number): number {
  const s = (x: bigint) => BigInt.asIntN(32, x), u = (x: bigint) => BigInt.asUintN(32, x);
  const k = big(c);
  let var1 = s((BigInt(tFine) >> 1n) - 64000n);
  let var2 = s(s(s(s((var1 >> 2n) * (var1 >> 2n)) >> 11n)) * k.P6);
  var2 = s(var2 + s(s(var1 * k.P5) << 1n));
  var2 = s((var2 >> 2n) + s(k.P4 << 16n));
  var1 = s(s(s(s(k.P3 * s(s((var1 >> 2n) * (var1 >> 2n)) >> 13n)) >> 3n) + s(s(k.P2 * var1) >> 1n)) >> 18n);
  var1 = s(s(s(32768n + var1) * k.P1) >> 15n);
  if (var1 === 0n) return 0;
  let p = u(u(u(1048576n - BigInt(adcP)) - u(var2 >> 12n)) * 3125n);
  p = p < 0x80000000n ? u(p << 1n) / u(var1) : (p / u(var1)) * 2n;
  var1 = s(s(k.P9 * s(u(u((p >> 3n) * (p >> 3n)) >> 13n))) >> 12n);
  var2 = s(s(s(p >> 2n) * k.P8) >> 13n);
  return Number(u(s(s(p) + s(s(var1 + var2 + k.P7) >> 4n))));
}

// ---- published numbers

/** BMP280 datasheet 3.12 worked example: trimming, adc_T 519888, adc_P 415148 -> t_fine 128422, 25.08 degC, 100653.27 Pa. */
const BMP280_EXAMPLE = { T1: 27504, T2: 26435, T3: -1000, P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000 };

/** pimoroni/bme280-python tests/test_compensation.py: raw codes and results of the datasheet's double formulas (8.1), with the trimming of BME280_TRIMMING. */
const PIMORONI = { adcT: 529191, temperature: 24.7894877676, adcP: 326816, pressure: 100661.517564, adcH: 30281, humidity: 68.66996648709039 };

/** Table 16 byte layout of trimming parameters (written here by hand, apart from the model). */
function trimmingBytes(c: BME280Calibration): { block1: Uint8Array; block2: Uint8Array } {
  const block1 = new Uint8Array(26);
  [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9].forEach((v, i) => { block1[2 * i] = v & 255; block1[2 * i + 1] = (v >> 8) & 255; });
  block1[25] = c.H1;
  const h4 = c.H4 & 0xfff, h5 = c.H5 & 0xfff;
  const block2 = Uint8Array.of(c.H2 & 255, (c.H2 >> 8) & 255, c.H3, h4 >> 4, (h4 & 15) | ((h5 & 15) << 4), h5 >> 4, c.H6 & 255);
  return { block1, block2 };
}

// ---- buses

/** A register file answering as the BME280's I2C interface does (6.2): for fixed data, or a chip that is not a BME280. */
class RegisterFile implements I2CTarget {
  faults: ChipFaults = {};
  readonly registers = new Uint8Array(256);
  #pointer = 0;
  write(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += 2) {
      this.#pointer = bytes[i];
      if (i + 1 < bytes.length) this.registers[bytes[i]] = bytes[i + 1];
    }
  }
  read(count: number): Uint8Array {
    const out = this.registers.slice(this.#pointer, this.#pointer + count);
    this.#pointer += count;
    return out;
  }
}

function registerFile(id: number, c: BME280Calibration, adcT: number, adcP: number, adcH: number): RegisterFile {
  const file = new RegisterFile();
  const { block1, block2 } = trimmingBytes(c);
  file.registers.set(block1, 0x88);
  file.registers.set(block2, 0xe1);
  file.registers[0xd0] = id;
  file.registers.set([adcP >> 12, (adcP >> 4) & 255, (adcP & 15) << 4, adcT >> 12, (adcT >> 4) & 255, (adcT & 15) << 4, adcH >> 8, adcH & 255], 0xf7);
  return file;
}

let nextPort = 0;
function onBus(target: I2CTarget, address = 0x76) {
  const port = 50 + (nextPort++ % 10);
  const bus = simulatedI2CBus(port);
  for (const a of bus.addresses) bus.detach(a);
  bus.attach(address, target);
  return { port, bus: { io: SimulatedI2C, data: 21, clock: 22, port } };
}

function chipOnBus(start = { temperature: 21.5, humidity: 45, pressure: 101_325 }, trimming?: BME280Trimming) {
  const state = { ...start };
  const model = new BME280Model({ temperature: () => state.temperature, humidity: () => state.humidity, pressure: () => state.pressure }, { trimming });
  return { state, model, ...onBus(model) };
}

function sampleOf(sensor: BME280): Promise<{ error: SensorError | undefined; sample: CombinedSample | undefined }> {
  return new Promise((resolve) => sensor.sample((error, sample) => resolve({ error, sample })));
}

async function reading(sensor: BME280): Promise<CombinedSample> {
  const { error, sample } = await sampleOf(sensor);
  assert.equal(error, undefined, error?.message);
  return sample!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fakeClock = (model: BME280Model) => {
  const clock = { now: 1_000 };
  model.now = () => clock.now;
  return clock;
};

// ---- tests

describe("BME280 compensation follows the datasheet", () => {
  it("reproduces the BMP280 datasheet's worked example (3.12): t_fine 128422, 25.08 degC, 100653.27 Pa", () => {
    const c = parseBME280Calibration(trimmingBytes({ ...BMP280_EXAMPLE, H1: 0, H2: 0, H3: 0, H4: 0, H5: 0, H6: 0 }).block1, new Uint8Array(7));
    assert.deepEqual({ T1: c.T1, T2: c.T2, T3: c.T3, P1: c.P1, P2: c.P2, P3: c.P3, P4: c.P4, P5: c.P5, P6: c.P6, P7: c.P7, P8: c.P8, P9: c.P9 }, BMP280_EXAMPLE);
    const { tFine, centidegrees } = bme280CompensateTemperature(c, 519888);
    assert.equal(tFine, 128422);
    assert.equal(centidegrees, 2508);
    assert.ok(Math.abs(bme280CompensatePressure(c, 415148, tFine) - 100653.27) < 0.02);
    assert.equal(referencePressure(c, 415148, tFine), 25767233n); // the 64-bit code: 100653.25 Pa
  });

  it("reproduces a published vector of the double formulas (8.1), and explains the integer path's difference", () => {
    const c = BME280_TRIMMING as BME280Calibration;
    const { tFine, centidegrees } = bme280CompensateTemperature(c, PIMORONI.adcT);
    assert.ok(Math.abs(centidegrees / 100 - PIMORONI.temperature) <= 0.005);
    // The double formula's t_fine keeps adc_T's low 3 bits, which the integer code drops (adc_T >> 3): 11 steps here.
    const var1 = (PIMORONI.adcT / 16384 - c.T1 / 1024) * c.T2, var2 = (PIMORONI.adcT / 131072 - c.T1 / 8192) ** 2 * c.T3;
    const doubleTFine = Math.trunc(var1 + var2);
    assert.equal(doubleTFine - tFine, 11);
    assert.ok(Math.abs(bme280CompensatePressure(c, PIMORONI.adcP, doubleTFine) - PIMORONI.pressure) < 0.01);
    // With the integer t_fine the driver follows the datasheet's own integer path (the 64-bit code).
    assert.ok(Math.abs(bme280CompensatePressure(c, PIMORONI.adcP, tFine) - Number(referencePressure(c, PIMORONI.adcP, tFine)) / 256) < 0.01);
    assert.ok(Math.abs(bme280CompensateHumidity(c, PIMORONI.adcH, tFine) - PIMORONI.humidity) < 0.008); // datasheet resolution, Table 2
  });

  it("pressure in doubles (8.1) is within 0.01 Pa of the 64-bit integer code over -40..85 degC and 300..1100 hPa; the 32-bit code of 8.2 is not", () => {
    for (const c of [BME280_TRIMMING as BME280Calibration, { ...(BME280_TRIMMING as BME280Calibration), ...BMP280_EXAMPLE }]) {
      let worst = 0, worst32 = 0, points = 0;
      for (let adcT = 300_000; adcT < 800_000; adcT += 2_011) {
        const [tFine, t] = referenceTemperature(c, adcT);
        if (t < -4000 || t > 8500) continue;
        for (let adcP = 100_000; adcP < 1_000_000; adcP += 4_001) {
          const exact = Number(referencePressure(c, adcP, tFine)) / 256;
          if (exact < 30_000 || exact > 110_000) continue;
          points++;
          worst = Math.max(worst, Math.abs(bme280CompensatePressure(c, adcP, tFine) - exact));
          worst32 = Math.max(worst32, Math.abs(fixed32Pressure(c, adcP, tFine) - exact));
        }
      }
      assert.ok(points > 5_000, `${points} points`);
      assert.ok(worst < 0.01, `doubles differ by up to ${worst} Pa`);
      assert.ok(worst32 > 0.16, `the 32-bit code differs by up to ${worst32} Pa`); // more than the x16 resolution, 0.16 Pa (3.4.2: 20 bits; BMP280 datasheet Table 4 gives the pascals)
    }
  });

  it("temperature and humidity are the integer code exactly, as C's int32 computes it, even for extreme trimming", () => {
    const extremes: BME280Calibration[] = [
      BME280_TRIMMING as BME280Calibration,
      { ...(BME280_TRIMMING as BME280Calibration), T3: -32768, H2: 32767, H3: 255, H4: 2047, H5: 2047, H6: 127, H1: 255 },
      { ...(BME280_TRIMMING as BME280Calibration), T2: 32767, H2: -32768, H4: -2048, H5: -2048, H6: -128 },
    ];
    for (const c of extremes) {
      for (let adcT = 0; adcT < 1 << 20; adcT += 7_919) {
        const [tFine, t] = referenceTemperature(c, adcT);
        assert.deepEqual(bme280CompensateTemperature(c, adcT), { tFine, centidegrees: t }, `adc_T ${adcT}`);
        for (let adcH = 0; adcH < 1 << 16; adcH += 4_093)
          assert.equal(bme280CompensateHumidity(c, adcH, tFine) * 1024, referenceHumidity(c, adcH, tFine), `adc_H ${adcH}, t_fine ${tFine}`);
      }
    }
  });

  it("humidity in integers is within the datasheet resolution (0.008 %RH) of the double formula (8.1) over 0..100 %RH and -40..85 degC", () => {
    const c = BME280_TRIMMING as BME280Calibration;
    for (let adcT = 380_000; adcT < 700_000; adcT += 9_973) {
      const [tFine, t] = referenceTemperature(c, adcT);
      if (t < -4000 || t > 8500) continue;
      for (let adcH = 0; adcH < 1 << 16; adcH += 257) {
        const exact = doubleHumidity(c, adcH, tFine), ours = bme280CompensateHumidity(c, adcH, tFine);
        assert.ok(Math.abs(ours - exact) < 0.008, `adc_H ${adcH}, t_fine ${tFine}: ${ours} vs ${exact}`);
      }
    }
  });

  it("unpacks dig_H4 and dig_H5 as signed 12-bit values from 0xE4..0xE6 (Table 16)", () => {
    // 0xE4 = H4[11:4], 0xE5 = H5[3:0] H4[3:0], 0xE6 = H5[11:4]; 0xE7 = H6 (signed char); 0xE1/0xE2 = H2 (signed short).
    const cases: [number[], Partial<BME280Calibration>][] = [
      [[0x78, 0x01, 0x00, 0x11, 0x2e, 0x03, 0x1e], { H2: 376, H3: 0, H4: 286, H5: 50, H6: 30 }],
      [[0x00, 0x80, 0xff, 0xea, 0x23, 0xfe, 0xf9], { H2: -32768, H3: 255, H4: -349, H5: -30, H6: -7 }],
      [[0xff, 0x7f, 0x01, 0x7f, 0x0f, 0x80, 0x80], { H2: 32767, H3: 1, H4: 2047, H5: -2048, H6: -128 }],
      [[0x00, 0x00, 0x00, 0x80, 0xf0, 0x7f, 0x7f], { H2: 0, H3: 0, H4: -2048, H5: 2047, H6: 127 }],
    ];
    for (const [bytes, expected] of cases) {
      const c = parseBME280Calibration(new Uint8Array(26), Uint8Array.from(bytes));
      assert.deepEqual({ H2: c.H2, H3: c.H3, H4: c.H4, H5: c.H5, H6: c.H6 }, expected, bytes.map((b) => b.toString(16)).join(" "));
    }
    const low = new Uint8Array(26);
    low.set([0xff, 0xff, 0x00, 0x80, 0xff, 0xff], 0); // dig_T1 unsigned 65535, dig_T2 -32768, dig_T3 -1
    low[25] = 0xff; // dig_H1 unsigned char
    const c = parseBME280Calibration(low, new Uint8Array(7));
    assert.deepEqual([c.T1, c.T2, c.T3, c.H1], [65535, -32768, -1, 255]);
  });

  it("t_measure,max is the formula of 9.1", () => {
    assert.equal(bme280MeasurementTime(1, 1, 1), 1.25 + 2.3 + 2.875 + 2.875);
    assert.equal(bme280MeasurementTime(16, 16, 16), 1.25 + 3 * 36.8 + 2 * 0.575);
    assert.equal(bme280MeasurementTime(1, 0, 0), 3.55);
  });
});

describe("BME280 model follows the datasheet", () => {
  it("powers up with the reset values of Table 18 and the trimming of a real chip at 0x88..0xA1, 0xE1..0xE7", () => {
    const { model } = chipOnBus();
    assert.equal(model.register(0xd0), 0x60);
    assert.equal(model.register(0xe0), 0x00);
    for (const address of [0xf2, 0xf3, 0xf4, 0xf5]) assert.equal(model.register(address), 0, `0x${address.toString(16)}`);
    assert.deepEqual([0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe].map((a) => model.register(a)), [0x80, 0, 0, 0x80, 0, 0, 0x80, 0]);
    assert.deepEqual([0xe4, 0xe5, 0xe6].map((a) => model.register(a)), [0x11, 0x2e, 0x03]); // H4 = 0x11E, H5 = 0x032
    const block1 = Uint8Array.from({ length: 26 }, (_, i) => model.register(0x88 + i));
    const block2 = Uint8Array.from({ length: 7 }, (_, i) => model.register(0xe1 + i));
    assert.deepEqual(parseBME280Calibration(block1, block2), { ...BME280_TRIMMING });
  });

  it("reads on from the addressed register and writes register/value pairs (6.2)", () => {
    const { model, bus } = chipOnBus();
    const io = new SimulatedI2C({ ...bus, address: 0x76 });
    io.write(Uint8Array.of(0xf2, 0x03, 0xf5, 0x2c, 0xf4, 0x54)); // three pairs in one transfer
    io.write(Uint8Array.of(0xf2), false);
    assert.deepEqual([...new Uint8Array(io.read(4))], [0x03, 0x00, 0x54, 0x2c]);
    assert.equal(model.register(0xf4), 0x54);
  });

  it("takes ctrl_hum into effect only at the next ctrl_meas write (5.4.3)", () => {
    const { model } = chipOnBus();
    const clock = fakeClock(model);
    model.write(Uint8Array.of(0xf4, 0x27)); // normal mode, osrs_t = osrs_p = x1, ctrl_hum still 0: humidity skipped
    clock.now += 100;
    assert.equal((model.register(0xfd) << 8) | model.register(0xfe), 0x8000);
    model.write(Uint8Array.of(0xf2, 0x01)); // humidity x1 written, not yet in effect
    clock.now += 100;
    assert.equal(model.register(0xf2), 0x01);
    assert.equal((model.register(0xfd) << 8) | model.register(0xfe), 0x8000);
    model.write(Uint8Array.of(0xf4, 0x27));
    clock.now += 100;
    assert.notEqual((model.register(0xfd) << 8) | model.register(0xfe), 0x8000);
  });

  it("measures for t_measure,typ (9.1) in forced mode: measuring set, the previous data kept, then sleep", () => {
    const { model, state } = chipOnBus();
    const clock = fakeClock(model);
    model.write(Uint8Array.of(0xf2, 0x01, 0xf4, 0x25)); // x1 everything, forced
    const typical = bme280TypicalMeasurementTime(1, 1, 1);
    assert.equal(typical, 8);
    assert.equal(model.register(0xf3), 0x08);
    clock.now += typical - 0.1;
    assert.equal(model.register(0xf3), 0x08);
    assert.equal(model.register(0xfa), 0x80); // still the reset value
    clock.now += 0.1;
    assert.equal(model.register(0xf3), 0x00);
    assert.equal(model.register(0xf4), 0x24); // back to sleep
    const first = model.register(0xfa);
    assert.notEqual(first, 0x80);
    state.temperature = 60;
    model.write(Uint8Array.of(0xf4, 0x25));
    clock.now += 4;
    assert.equal(model.register(0xfa), first, "reading early gives the previous conversion");
    clock.now += 4;
    assert.ok(model.register(0xfa) > first);
  });

  it("reads 0x80000 / 0x8000 for skipped measurements and zeroes the bits below the resolution (3.4.2, 3.4.3)", () => {
    const { model } = chipOnBus();
    const clock = fakeClock(model);
    model.write(Uint8Array.of(0xf2, 0x00, 0xf4, 0x21)); // osrs_t x1, osrs_p skipped, humidity skipped
    clock.now += 10;
    assert.deepEqual([0xf7, 0xf8, 0xf9].map((a) => model.register(a)), [0x80, 0, 0]);
    assert.deepEqual([0xfd, 0xfe].map((a) => model.register(a)), [0x80, 0]);
    assert.equal(model.register(0xfc), 0x00); // x1: 16 bits, xlsb empty
    model.write(Uint8Array.of(0xf4, 0x45)); // osrs_t x2: 17 bits
    clock.now += 10;
    assert.equal(model.register(0xfc) & 0x70, 0);
    model.write(Uint8Array.of(0xf4, 0x15)); // temperature skipped, pressure x16
    clock.now += 50;
    assert.deepEqual([0xfa, 0xfb, 0xfc].map((a) => model.register(a)), [0x80, 0, 0]);
  });

  it("soft-resets on 0xB6 only, with im_update for the 2 ms start-up (5.4.2, 5.4.4)", () => {
    const { model } = chipOnBus();
    const clock = fakeClock(model);
    model.write(Uint8Array.of(0xf5, 0xa0, 0xf2, 0x01, 0xf4, 0x25));
    clock.now += 10;
    model.write(Uint8Array.of(0xe0, 0x00));
    assert.equal(model.register(0xf4), 0x24);
    model.write(Uint8Array.of(0xe0, 0xb6));
    assert.equal(model.register(0xf3), 0x01);
    assert.deepEqual([0xf2, 0xf4, 0xf5, 0xf7, 0xfa, 0xfd].map((a) => model.register(a)), [0, 0, 0, 0x80, 0x80, 0x80]);
    clock.now += 2;
    assert.equal(model.register(0xf3), 0x00);
  });

  it("ignores config writes in normal mode (5.4.6) and converts every t_measure + t_standby (Table 27)", () => {
    const { model } = chipOnBus();
    const clock = fakeClock(model);
    model.write(Uint8Array.of(0xf5, 0x20, 0xf2, 0x01, 0xf4, 0x27)); // t_sb 62.5 ms, normal
    model.write(Uint8Array.of(0xf5, 0xa0));
    assert.equal(model.register(0xf5), 0x20);
    assert.equal(model.register(0xf3), 0x08);
    clock.now += 8; // t_measure,typ
    assert.equal(model.register(0xf3), 0x00);
    clock.now += 62.5;
    assert.equal(model.register(0xf3), 0x08);
    model.write(Uint8Array.of(0xf4, 0x24)); // sleep
    model.write(Uint8Array.of(0xf5, 0xa0));
    assert.equal(model.register(0xf5), 0xa0);
  });

  it("filters temperature codes with the IIR filter of 3.4.4, reset by a config write", () => {
    const { model, state } = chipOnBus({ temperature: 20, humidity: 50, pressure: 100_000 });
    const clock = fakeClock(model);
    const rawT = () => (model.register(0xfa) << 12) | (model.register(0xfb) << 4) | (model.register(0xfc) >> 4);
    const forced = () => { model.write(Uint8Array.of(0xf4, 0xb5)); clock.now += 100; return rawT(); }; // x16, x16, forced
    model.write(Uint8Array.of(0xf5, 0x00));
    const cold = forced();
    state.temperature = 30;
    const warm = forced();
    state.temperature = 20;
    model.write(Uint8Array.of(0xf5, 0x08)); // filter coefficient 4
    assert.equal(forced(), cold);
    state.temperature = 30;
    let expected = cold;
    for (let n = 1; n <= 5; n++) {
      expected = (expected * 3 + warm) / 4;
      assert.equal(forced(), Math.round(expected), `conversion ${n} after the step`);
    }
    model.write(Uint8Array.of(0xf5, 0x08)); // resets the filter: the next code passes unchanged
    assert.equal(forced(), warm);
  });
});

describe("BME280 driver", () => {
  it("reads points across the full range within the datasheet's resolution (x1 and x16)", async () => {
    const { state, bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    // Resolution per quantity: the integer code's 0.01 degC; one ADC step, 16 + (osrs - 1) bits (3.4.2), which the BMP280
    // datasheet's Table 4 gives as 2.62 Pa at x1 and 0.16 Pa at x16; 0.008 %RH (Table 2).
    for (const [oversampling, pascal] of [[1, 2.62], [16, 0.16]]) {
      sensor.configure({ temperatureOversampling: oversampling as 1, pressureOversampling: oversampling as 1, humidityOversampling: oversampling as 1 });
      const points: [number, number, number][] = oversampling === 1
        ? [[-40, 0, 30_000], [-40, 100, 110_000], [-20.5, 35, 50_000], [-0.01, 80, 95_000], [0, 0.5, 101_325], [21.5, 45, 101_325], [40, 99.5, 70_000], [65, 10, 110_000], [85, 100, 30_000], [85, 0, 110_000]]
        : [[-40, 10, 30_000], [0, 50, 101_325], [25.37, 63.2, 99_876.5], [85, 90, 110_000]];
      for (const [temperature, humidity, pressure] of points) {
        Object.assign(state, { temperature, humidity, pressure });
        const sample = await reading(sensor);
        const at = `${temperature} degC, ${humidity} %RH, ${pressure} Pa, x${oversampling}`;
        assert.ok(Math.abs(sample.thermometer.temperature - temperature) <= 0.01, `${at}: ${sample.thermometer.temperature} degC`);
        assert.ok(Math.abs(sample.hygrometer!.humidity - humidity) <= 0.008, `${at}: ${sample.hygrometer!.humidity} %RH`);
        assert.ok(Math.abs(sample.barometer!.pressure - pressure) <= pascal, `${at}: ${sample.barometer!.pressure} Pa`);
      }
    }
    sensor.close();
  });

  it("gives the datasheet example's values through the bus, as I2C and as SMBus", async () => {
    for (const io of [SimulatedI2C, SimulatedSMBus]) {
      const c = { ...(BME280_TRIMMING as BME280Calibration), ...BMP280_EXAMPLE };
      const { bus } = onBus(registerFile(0x60, c, 519888, 415148, PIMORONI.adcH));
      const sensor = new BME280({ sensor: { ...bus, io } });
      const sample = await reading(sensor);
      assert.equal(sample.thermometer.temperature, 25.08);
      assert.ok(Math.abs(sample.barometer!.pressure - 100653.27) < 0.02);
      assert.equal(sample.hygrometer!.humidity, referenceHumidity(c, PIMORONI.adcH, 128422) / 1024);
      sensor.close();
    }
  });

  it("reads humidity right with negative dig_H4 and dig_H5", async () => {
    // A negative dig_H4 raises every reading by -dig_H4 * 64 codes; with this dig_H2, 0 %RH..100 %RH stay within 16 bits.
    const trimming = { ...BME280_TRIMMING, H2: 120, H4: -70, H5: -30, H6: -7 };
    const { state, model, bus } = chipOnBus(undefined, trimming);
    assert.deepEqual([0xe4, 0xe5, 0xe6, 0xe7].map((a) => model.register(a)), [0xfb, 0x2a, 0xfe, 0xf9]);
    const sensor = new BME280({ sensor: bus });
    for (const [temperature, humidity] of [[25, 10], [25, 70], [-10, 90], [60, 50], [0, 100]]) {
      Object.assign(state, { temperature, humidity });
      const sample = await reading(sensor);
      assert.ok(Math.abs(sample.hygrometer!.humidity - humidity) <= 0.008, `${humidity} %RH at ${temperature} degC: ${sample.hygrometer!.humidity}`);
    }
    sensor.close();
  });

  it("writes settings to the right bits, leaving the others (5.4.3, 5.4.5, 5.4.6)", () => {
    const { model, bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    // Defaults: x1 everything, filter off, standby 1000 ms, forced mode (asleep between samples).
    assert.deepEqual([model.register(0xf2), model.register(0xf4), model.register(0xf5)], [0x01, 0x24, 0xa0]);
    sensor.configure({ temperatureOversampling: 2, pressureOversampling: 16, humidityOversampling: 4, filter: 8, standby: 62.5, mode: "normal" });
    assert.equal(model.register(0xf2), 0x03);           // osrs_h 011
    assert.equal(model.register(0xf4), 0b010_101_11);   // osrs_t 010, osrs_p 101, mode 11
    assert.equal(model.register(0xf5), 0b001_011_00);   // t_sb 001, filter 011
    sensor.configure({ filter: 0 });
    assert.equal(model.register(0xf5), 0b001_000_00);
    assert.equal(model.register(0xf4), 0b010_101_11);
    sensor.configure({ standby: 20, pressureOversampling: 0 });
    assert.equal(model.register(0xf5), 0b111_000_00);
    assert.equal(model.register(0xf4), 0b010_000_11);
    sensor.configure({ mode: "forced" });
    assert.equal(model.register(0xf4), 0b010_000_00);
    sensor.close();
  });

  it("refuses bad options, naming them", () => {
    const { bus } = chipOnBus();
    assert.throws(() => new BME280({ sensor: { ...bus, address: 0x40 } }), /address must be 0x76 or 0x77/);
    assert.throws(() => new BME280({} as never), /options.sensor must be an I2C bus/);
    assert.throws(() => new BME280({ sensor: bus, onError: 3 as never }), /onError must be a function/);
    const sensor = new BME280({ sensor: bus });
    assert.throws(() => sensor.configure({ filter: 3 as 2 }), (e: unknown) => e instanceof RangeError && /filter must be 0 \(off\), 2, 4, 8 or 16, not 3/.test(e.message));
    assert.throws(() => sensor.configure({ standby: "10" as never }), (e: unknown) => e instanceof TypeError && /standby must be a number/.test(e.message));
    assert.throws(() => sensor.configure({ temperatureOversampling: 0 as 1 }), /temperatureOversampling must be 1, 2, 4, 8 or 16, not 0/);
    assert.throws(() => sensor.configure({ humidityOversampling: 3 as 2 }), /humidityOversampling must be 0 \(skip\), 1, 2, 4, 8 or 16, not 3/);
    assert.throws(() => sensor.configure({ mode: "continuous" as "normal" }), /mode must be "forced" or "normal"/);
    assert.throws(() => sensor.configure({ oversampling: 2 } as never), /unknown setting "oversampling"/);
    assert.throws(() => sensor.configure({ filter: 2, standby: 7 as 10 }), /standby/);
    assert.equal(sensor.measurementTime, bme280MeasurementTime(1, 1, 1), "nothing was half-applied");
    assert.throws(() => sensor.sample(), /needs mode "normal"/);
    sensor.close();
  });

  it("leaves skipped quantities out of the sample", async () => {
    const { bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    sensor.configure({ humidityOversampling: 0 });
    assert.deepEqual(Object.keys(await reading(sensor)), ["thermometer", "barometer"]);
    sensor.configure({ humidityOversampling: 1, pressureOversampling: 0 });
    assert.deepEqual(Object.keys(await reading(sensor)), ["thermometer", "hygrometer"]);
    sensor.close();
  });

  it("tells a BME280 from a BMP280 and other chips (5.4.1, Table 17), and refuses a BMP280 with a clear message", () => {
    const { bus } = chipOnBus();
    assert.equal(probeBME280(new SimulatedI2C({ ...bus, address: 0x76 })), true);
    assert.equal(probeBME280(new SimulatedI2C({ ...bus, address: 0x77 })), false); // nobody there
    const c = BME280_TRIMMING as BME280Calibration;
    for (const [id, pattern] of [[0x58, /BMP280 \(chip id 0x58.*no humidity/], [0x56, /BMP280/], [0x61, /reads chip id 0x61; a BME280 reads 0x60/]] as const) {
      const other = onBus(registerFile(id, c, 0x80000, 0x80000, 0x8000), 0x77);
      assert.equal(probeBME280(new SimulatedI2C({ ...other.bus, address: 0x77 })), false);
      assert.throws(() => new BME280({ sensor: { ...other.bus, address: 0x77 } }), (e: unknown) =>
        e instanceof SensorError && e.reason === "absent" && pattern.test(e.message));
    }
  });

  it("reports an absent chip, one still loading its NVM, and blank trimming at construction", () => {
    const { model, bus } = chipOnBus();
    assert.throws(() => new BME280({ sensor: { ...bus, address: 0x77 } }), (e: unknown) => e instanceof SensorError && e.reason === "absent" && /0x77/.test(e.message));
    model.write(Uint8Array.of(0xe0, 0xb6));
    assert.throws(() => new BME280({ sensor: bus }), (e: unknown) => e instanceof SensorError && e.reason === "busy" && /im_update/.test(e.message));
    const blank = onBus(registerFile(0x60, { ...(BME280_TRIMMING as BME280Calibration), P1: 0 }, 0, 0, 0));
    assert.throws(() => new BME280({ sensor: blank.bus }), (e: unknown) => e instanceof SensorError && e.reason === "range" && /dig_P1 = 0/.test(e.message));
  });

  it("close() is safe twice; sampling after it fails; a sample under way gets an error", async () => {
    const { bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    const pending = sampleOf(sensor);
    sensor.close();
    sensor.close();
    const { error, sample } = await pending;
    assert.equal(sample, undefined);
    assert.match(error?.message ?? "", /closed before the conversion finished/);
    assert.throws(() => sensor.sample(() => undefined), /closed/);
  });
});

describe("BME280 driver: timing, normal mode and faults", () => {
  it("calls back after t_measure,max on a timer, without blocking the event loop (9.1)", async () => {
    const { bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    sensor.configure({ temperatureOversampling: 16, pressureOversampling: 16, humidityOversampling: 16 });
    assert.equal(sensor.measurementTime, 112.8);
    let ticked = 0;
    const ticker = setInterval(() => ticked++, 10);
    let returned = false;
    const started = performance.now();
    const result = new Promise<{ afterReturn: boolean; elapsed: number; ticks: number; sample: unknown }>((resolve) =>
      sensor.sample((_e, sample) => resolve({ afterReturn: returned, elapsed: performance.now() - started, ticks: ticked, sample })));
    returned = true;
    const { afterReturn, elapsed, ticks, sample } = await result;
    clearInterval(ticker);
    assert.equal(afterReturn, true);
    assert.ok(elapsed >= 112, `${elapsed} ms`);
    assert.ok(ticks >= 5, `${ticks} ticks of a 10 ms timer during the conversion`);
    assert.ok(sample);
    sensor.close();
  });

  it("shares one conversion among samples asked for meanwhile, and restarts it after configure()", async () => {
    const { bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    const [a, b] = [sampleOf(sensor), sampleOf(sensor)];
    sensor.configure({ humidityOversampling: 0 });
    const [first, second] = await Promise.all([a, b]);
    assert.equal(first.sample, second.sample);
    assert.deepEqual(Object.keys(first.sample!), ["thermometer", "barometer"]);
    sensor.close();
  });

  it("normal mode: busy until the first conversion, then sample() returns the latest one at once", async () => {
    const { state, bus } = chipOnBus({ temperature: -12.5, humidity: 20, pressure: 90_000 });
    const errors: SensorError[] = [];
    const sensor = new BME280({ sensor: bus, onError: (error) => errors.push(error) });
    sensor.configure({ mode: "normal", standby: 0.5 });
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "busy");
    assert.match(errors[0].message, /no conversion with the settings/);
    await sleep(15);
    assert.equal(sensor.sample()?.thermometer.temperature, -12.5);
    state.temperature = 30.25;
    await sleep(15);
    assert.equal(sensor.sample()?.thermometer.temperature, 30.25);
    assert.equal((await reading(sensor)).thermometer.temperature, 30.25);
    sensor.close();
  });

  it("normal mode: sample(callback) right after configure() waits for a conversion with the new settings", async () => {
    const { state, bus } = chipOnBus({ temperature: 5, humidity: 60, pressure: 100_000 });
    const sensor = new BME280({ sensor: bus });
    assert.equal((await reading(sensor)).thermometer.temperature, 5); // forced
    state.temperature = 6;
    sensor.configure({ mode: "normal", standby: 1000, humidityOversampling: 0 });
    const sample = await reading(sensor);
    assert.deepEqual(sample, { thermometer: { temperature: 6 }, barometer: sample.barometer });
    sensor.close();
  });

  it("busy while the data registers hold their reset values (Table 18)", async () => {
    const { bus } = onBus(registerFile(0x60, BME280_TRIMMING as BME280Calibration, 0x80000, 0x80000, 0x8000));
    const sensor = new BME280({ sensor: bus });
    const { error } = await sampleOf(sensor);
    assert.equal(error?.reason, "busy");
    assert.match(error!.message, /reset values/);
    sensor.close();
  });

  it("reports a chip stuck measuring as busy after 2 x t_measure,max, and recovers", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    model.faults = { busy: true };
    const started = performance.now();
    const { error, sample } = await sampleOf(sensor);
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "busy");
    assert.match(error!.message, /still measuring/);
    assert.ok(performance.now() - started >= 2 * sensor.measurementTime - 1);
    model.faults = {};
    assert.equal((await reading(sensor)).thermometer.temperature, 21.5);
    sensor.close();
  });

  it("reports an impossible code as a range fault, not as a reading, and recovers", async () => {
    const { model, bus } = chipOnBus();
    const errors: SensorError[] = [];
    const sensor = new BME280({ sensor: bus, onError: (error) => errors.push(error) });
    model.faults = { outOfRange: true };
    const { error, sample } = await sampleOf(sensor);
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "range");
    assert.match(error!.message, /bits 3..0 are always 0/);
    sensor.configure({ mode: "normal" });
    await sleep(15);
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "range");
    model.faults = {};
    assert.equal(sensor.sample()?.thermometer.temperature, 21.5);
    sensor.close();
  });

  it("reports a temperature beyond the absolute maximum rating (Table 5) as a range fault", async () => {
    const { bus } = onBus(registerFile(0x60, BME280_TRIMMING as BME280Calibration, 0, 0x60000, 0x6000)); // adc_T 0: about -137 degC
    const sensor = new BME280({ sensor: bus });
    const { error } = await sampleOf(sensor);
    assert.equal(error?.reason, "range");
    assert.match(error!.message, /absolute maximum rating/);
    sensor.close();
  });

  it("reports a NACK and a broken transfer as bus faults, and recovers", async () => {
    const { model, bus } = chipOnBus({ temperature: 19.5, humidity: 40, pressure: 100_000 });
    const sensor = new BME280({ sensor: bus });
    model.faults = { absent: true };
    let result = await sampleOf(sensor);
    assert.equal(result.error?.reason, "bus");
    assert.match(result.error!.message, /not acknowledged/);
    model.faults = {};
    assert.equal((await reading(sensor)).thermometer.temperature, 19.5);
    for (const after of [0, 3, 8]) {
      model.faults = { busErrorAfter: after };
      result = await sampleOf(sensor);
      assert.equal(result.error?.reason, "bus", `after ${after} bytes`);
      assert.equal((await reading(sensor)).thermometer.temperature, 19.5);
    }
    sensor.close();
  });

  it("notices a chip that lost its settings (power-on reset) and writes them again", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new BME280({ sensor: bus });
    sensor.configure({ filter: 4 });
    await reading(sensor);
    model.write(Uint8Array.of(0xe0, 0xb6));
    await sleep(3);
    const { error } = await sampleOf(sensor);
    assert.equal(error?.reason, "bus");
    assert.match(error!.message, /settings changed/);
    assert.equal((await reading(sensor)).thermometer.temperature, 21.5);
    assert.equal(model.register(0xf5), 0xa8);
  });
});
