/*
 * NTC thermistor driver against a thermistor maker's own numbers: Murata's
 * resistance/temperature table for the NCP__XH103 (R25 = 10 kOhm, B25/50 =
 * 3380 K, B25/85 = 3434 K; catalog R44E, "Temperature Characteristics
 * (Center Value)"), through the Beta model and a Steinhart-Hart fit made
 * here from three of the table's rows; then through the divider model on
 * simulated analog pins 70-79.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANALOG_REFERENCE_VOLTS, type AnalogSource, SimulatedAnalog } from "../../../sim/devices/analog";
import { simulatedBoard } from "../../../sim/devices/board";
import { NCP18XH103_TABLE, ncp18xh103Resistance, NTCModel } from "../../../sim/devices/ntc";
import { SensorError } from "../../../src/sensors/errors";
import NTC, { betaCelsius, ntcResistance, probeNTC, steinhartHartCelsius } from "../../../src/sensors/ntc";
import type { ThermometerSample } from "../../../src/sensors/sensor";

const KELVIN = 273.15;
const TABLE = NCP18XH103_TABLE;
const ohmsAt = (celsius: number) => TABLE.find(([t]) => t === celsius)![1];

/** Steinhart-Hart A, B, C through three (degC, ohms) points: three linear equations in 1/T. */
function steinhartHartFit(points: [number, number][]): { a: number; b: number; c: number } {
  const L = points.map(([, r]) => Math.log(r)), Y = points.map(([t]) => 1 / (t + KELVIN));
  const g2 = (Y[1] - Y[0]) / (L[1] - L[0]), g3 = (Y[2] - Y[0]) / (L[2] - L[0]);
  const c = (g3 - g2) / (L[2] - L[1]) / (L[0] + L[1] + L[2]);
  const b = g2 - c * (L[0] ** 2 + L[0] * L[1] + L[1] ** 2);
  return { a: Y[0] - (b + c * L[0] ** 2) * L[0], b, c };
}

const SH = steinhartHartFit([[-20, ohmsAt(-20)], [25, ohmsAt(25)], [85, ohmsAt(85)]]);

let nextPin = 70;
function thermistorOnPin(start = 25, options: ConstructorParameters<typeof NTCModel>[1] = {}) {
  const pin = nextPin;
  nextPin = nextPin === 79 ? 70 : nextPin + 1;
  const state = { temperature: start };
  const model = new NTCModel({ temperature: () => state.temperature }, options);
  simulatedBoard().analog.set(pin, model);
  return { pin, state, model, sensor: { io: SimulatedAnalog, pin, resolution: 12 } };
}

/** How far half an ADC step moves the reading at `ohms` (12 bits, 10 kOhm divider): the quantisation bound. */
function halfStepCelsius(ohms: number, onTop = false): number {
  const full = 4095, exact = (onTop ? 10_000 / (ohms + 10_000) : ohms / (ohms + 10_000)) * full;
  const at = (code: number) => steinhartHartCelsius(ntcResistance(code, full, 10_000, onTop), SH.a, SH.b, SH.c);
  return Math.max(Math.abs(at(exact + 0.5) - at(exact)), Math.abs(at(exact - 0.5) - at(exact)));
}

describe("NTC conversions against Murata's NCP18XH103 table", () => {
  it("Beta model with B25/50 = 3380 K: exact at 25 and 50 degC, within 0.15 degC between", () => {
    for (const [celsius, ohms] of TABLE) {
      const error = betaCelsius(ohms, 10_000, 25, 3380) - celsius;
      if (celsius === 25 || celsius === 50) assert.ok(Math.abs(error) < 0.01, `${celsius}: ${error}`);
      else if (celsius > 20 && celsius < 50) assert.ok(Math.abs(error) < 0.15, `${celsius}: ${error}`);
    }
  });

  it("Beta model with B25/85 = 3434 K: exact at 85 degC", () => {
    assert.ok(Math.abs(betaCelsius(ohmsAt(85), 10_000, 25, 3434) - 85) < 0.02);
  });

  it("Steinhart-Hart fitted at -20, 25 and 85 degC: within 0.1 degC from -25 to 125 degC, 0.4 below", () => {
    for (const [celsius, ohms] of TABLE) {
      const error = steinhartHartCelsius(ohms, SH.a, SH.b, SH.c) - celsius;
      assert.ok(Math.abs(error) < (celsius >= -25 ? 0.1 : 0.4), `${celsius} degC: off by ${error}`);
    }
  });

  it("divider: code / full scale = R / (R + Rseries), or Rseries / (R + Rseries) with the thermistor on top", () => {
    assert.equal(ntcResistance(2047.5, 4095, 10_000), 10_000);
    assert.equal(ntcResistance(1365, 4095, 10_000), 5_000);
    assert.equal(ntcResistance(1365, 4095, 10_000, true), 20_000);
  });
});

describe("NTC model", () => {
  it("gives Murata's table resistances at the table's temperatures, and a monotonic curve between", () => {
    for (const [celsius, ohms] of TABLE) assert.ok(Math.abs(ncp18xh103Resistance(celsius) - ohms) < 1e-6 * ohms, `${celsius}`);
    for (let t = -45; t < 130; t += 0.5) assert.ok(ncp18xh103Resistance(t) > ncp18xh103Resistance(t + 0.5));
  });

  it("drives the pin as the divider does, and to the rails when open or shorted", () => {
    const { model, state } = thermistorOnPin(25);
    assert.ok(Math.abs(model.volts(0) - ANALOG_REFERENCE_VOLTS / 2) < 1e-9);
    state.temperature = 0;
    assert.ok(Math.abs(model.volts(0) - ANALOG_REFERENCE_VOLTS * 27_219 / 37_219) < 1e-9);
    model.faults = { absent: true };
    assert.equal(model.volts(0), ANALOG_REFERENCE_VOLTS);
    model.faults = { outOfRange: true };
    assert.equal(model.volts(0), 0);
    const top = thermistorOnPin(25, { thermistorOnTop: true }).model;
    top.faults = { absent: true };
    assert.equal(top.volts(0), 0);
    top.faults = { outOfRange: true };
    assert.equal(top.volts(0), ANALOG_REFERENCE_VOLTS);
  });
});

describe("NTC driver on a simulated analog pin", () => {
  for (const onTop of [false, true]) {
    it(`reads every table temperature within the fit and half an ADC step (thermistor ${onTop ? "on top" : "to ground"})`, () => {
      const { state, sensor } = thermistorOnPin(25, { thermistorOnTop: onTop });
      const ntc = new NTC({ sensor });
      ntc.configure({ ...SH, thermistorOnTop: onTop });
      for (const [celsius, ohms] of TABLE) {
        state.temperature = celsius;
        const reading = ntc.sample()!.temperature;
        const formula = steinhartHartCelsius(ohms, SH.a, SH.b, SH.c);
        assert.ok(Math.abs(reading - formula) <= halfStepCelsius(ohms, onTop) + 1e-9, `${celsius} degC read ${reading}, formula ${formula}`);
      }
      ntc.close();
    });
  }

  it("defaults to the NCP18XH103 Beta model with 10 kOhm on top of a grounded thermistor", () => {
    const { state, sensor } = thermistorOnPin(25);
    const ntc = new NTC({ sensor });
    assert.ok(Math.abs(ntc.sample()!.temperature - 25) < 0.03);
    state.temperature = 50;
    assert.ok(Math.abs(ntc.sample()!.temperature - 50) < 0.05);
    state.temperature = -10;
    assert.ok(Math.abs(ntc.sample()!.temperature - (-10 + 1.251)) < 0.05); // the Beta model's own error at -10 degC
    ntc.close();
  });

  it("follows a Beta thermistor exactly, with its own nominal point", () => {
    const { state, sensor } = thermistorOnPin(0, { thermistor: { beta: 3950, nominalResistance: 100_000 }, seriesResistance: 100_000 });
    const ntc = new NTC({ sensor });
    ntc.configure({ beta: 3950, nominalResistance: 100_000, seriesResistance: 100_000 });
    for (const celsius of [-20, 0, 25, 60, 100]) {
      state.temperature = celsius;
      assert.ok(Math.abs(ntc.sample()!.temperature - celsius) < 0.2, `${celsius}`);
    }
    ntc.close();
  });

  it("averages the configured number of reads", () => {
    const pin = 79;
    let flip = false;
    const wobble: AnalogSource = { volts: () => (flip = !flip) ? 1.2 : 1.4 };
    simulatedBoard().analog.set(pin, wobble);
    const ntc = new NTC({ sensor: { io: SimulatedAnalog, pin } });
    const codeOf = (volts: number) => Math.round((volts / ANALOG_REFERENCE_VOLTS) * 4095);
    const expected = betaCelsius(ntcResistance((codeOf(1.2) + codeOf(1.4)) / 2, 4095, 10_000), 10_000, 25, 3380);
    ntc.configure({ averaging: 2 });
    assert.ok(Math.abs(ntc.sample()!.temperature - expected) < 1e-9);
    ntc.configure({ averaging: 1 });
    assert.notEqual(ntc.sample()!.temperature, ntc.sample()!.temperature);
    ntc.close();
  });

  it("sample(callback) calls back on a later turn", async () => {
    const { sensor } = thermistorOnPin(25);
    const ntc = new NTC({ sensor });
    let returned = false;
    const [error, sample, later] = await new Promise<[SensorError | undefined, ThermometerSample | undefined, boolean]>((resolve) => {
      ntc.sample((e, s) => resolve([e, s, returned]));
      returned = true;
    });
    assert.equal(error, undefined);
    assert.equal(later, true);
    assert.ok(Math.abs(sample!.temperature - 25) < 0.03);
    ntc.close();
  });
});

describe("NTC driver: faults and options", () => {
  for (const onTop of [false, true]) {
    it(`reports an open and a shorted thermistor as range faults, never a temperature, and recovers (${onTop ? "on top" : "to ground"})`, async () => {
      const { model, sensor } = thermistorOnPin(20, { thermistorOnTop: onTop });
      const errors: SensorError[] = [];
      const ntc = new NTC({ sensor, onError: (error) => errors.push(error) });
      ntc.configure({ thermistorOnTop: onTop });
      model.faults = { absent: true };
      assert.equal(ntc.sample(), undefined);
      assert.equal(errors[0]?.reason, "range");
      assert.match(errors[0].message, /reads as open circuit \(ADC (0|4095) of 4095\)/);
      model.faults = { outOfRange: true };
      const [error, sample] = await new Promise<[SensorError | undefined, unknown]>((resolve) => ntc.sample((e, s) => resolve([e, s])));
      assert.equal(sample, undefined);
      assert.equal(error?.reason, "range");
      assert.match(error!.message, /reads as a short/);
      model.faults = {};
      assert.ok(Math.abs(ntc.sample()!.temperature - 20) < 0.2);
      ntc.close();
    });
  }

  it("throws the fault from sample() without onError", () => {
    const { model, sensor } = thermistorOnPin(20);
    const ntc = new NTC({ sensor });
    model.faults = { absent: true };
    assert.throws(() => ntc.sample(), (error: unknown) => error instanceof SensorError && error.reason === "range");
    ntc.close();
  });

  it("reports a temperature outside the configured limits as a range fault", () => {
    const { state, sensor } = thermistorOnPin(20);
    const errors: SensorError[] = [];
    const ntc = new NTC({ sensor, onError: (error) => errors.push(error) });
    ntc.configure({ maxTemperature: 60 });
    state.temperature = 70;
    assert.equal(ntc.sample(), undefined);
    assert.match(errors[0]?.message ?? "", /outside -55 to 60 degC/);
    ntc.close();
  });

  it("refuses bad options and configuration, naming the field, and changes nothing", () => {
    const { state, sensor } = thermistorOnPin(30);
    assert.throws(() => new NTC({} as never), /options.sensor must be an analog input/);
    assert.throws(() => new NTC({ sensor: { ...sensor, pin: 1.5 } }), /options.sensor.pin/);
    assert.throws(() => new NTC({ sensor, onError: "x" as never }), /onError must be a function/);
    const ntc = new NTC({ sensor });
    const before = ntc.sample()!.temperature;
    assert.throws(() => ntc.configure({ seriesResistance: -1 }), /seriesResistance must be a positive number/);
    assert.throws(() => ntc.configure({ beta: 0 }), /beta must be a positive number/);
    assert.throws(() => ntc.configure({ a: 1e-3, b: 2e-4 }), /needs all of a, b and c/);
    assert.throws(() => ntc.configure({ ...SH, beta: 3380 }), /not both/);
    assert.throws(() => ntc.configure({ averaging: 0 }), /averaging must be a whole number/);
    assert.throws(() => ntc.configure({ thermistorOnTop: "yes" as never }), /thermistorOnTop must be true or false/);
    assert.throws(() => ntc.configure({ seriesResistance: 4_700, minTemperature: 10, maxTemperature: 0 }), /minTemperature/);
    state.temperature = 30;
    assert.equal(ntc.sample()!.temperature, before);
    ntc.close();
  });

  it("close() closes the analog input once, is safe twice, and sampling after it throws", () => {
    const { sensor } = thermistorOnPin();
    let closed = 0;
    class Counting extends SimulatedAnalog {
      override close(): void { closed++; super.close(); }
    }
    const ntc = new NTC({ sensor: { ...sensor, io: Counting } });
    ntc.close();
    ntc.close();
    assert.equal(closed, 1);
    assert.throws(() => ntc.sample(), /closed/);
  });

  it("probeNTC: a steady mid-scale divider passes, a rail does not", () => {
    const { pin, model } = thermistorOnPin(25);
    assert.equal(probeNTC(new SimulatedAnalog({ pin })), true);
    model.faults = { absent: true };
    assert.equal(probeNTC(new SimulatedAnalog({ pin })), false);
    model.faults = { outOfRange: true };
    assert.equal(probeNTC(new SimulatedAnalog({ pin })), false);
  });
});
