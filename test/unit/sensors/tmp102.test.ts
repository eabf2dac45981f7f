/*
 * TMP102 driver against the register-level model, and both against the
 * datasheet's own numbers (TI SBOS397, 7.5.2, temperature data format
 * tables), so the driver and the model cannot share one wrong guess.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulatedI2CBus } from "../../../sim/devices/board";
import { SimulatedI2C, SimulatedSMBus } from "../../../sim/devices/i2c";
import { TMP102Model, tmp102Encode } from "../../../sim/devices/tmp102";
import { SensorError } from "../../../src/sensors/errors";
import TMP102 from "../../../src/sensors/tmp102";

// Datasheet 12-bit table: temperature -> 12-bit value (left-justified in the register).
const TWELVE_BIT: [number, number][] = [
  [127.9375, 0x7ff], [100, 0x640], [80, 0x500], [75, 0x4b0], [50, 0x320], [25, 0x190],
  [0.25, 0x004], [0, 0x000], [-0.25, 0xffc], [-25, 0xe70], [-55, 0xc90],
];
// Datasheet 13-bit (extended mode) table.
const THIRTEEN_BIT: [number, number][] = [
  [150, 0x0960], [128, 0x0800], [127.9375, 0x07ff], [100, 0x0640], [80, 0x0500], [75, 0x04b0], [50, 0x0320],
  [25, 0x0190], [0.25, 0x0004], [0, 0x0000], [-0.25, 0x1ffc], [-25, 0x1e70], [-55, 0x1c90],
];

let nextPort = 10;
function chipOnBus(start = 21.5) {
  const port = nextPort++;
  const state = { temperature: start };
  const model = new TMP102Model({ temperature: () => state.temperature });
  simulatedI2CBus(port).attach(0x48, model);
  const bus = { io: SimulatedI2C, data: 21, clock: 22, port };
  return { port, state, model, bus };
}

describe("TMP102 model follows the datasheet", () => {
  for (const [celsius, value] of TWELVE_BIT) {
    it(`12-bit: ${celsius} degC reads 0x${value.toString(16)}`, () => assert.equal(tmp102Encode(celsius, false), value << 4));
  }
  for (const [celsius, value] of THIRTEEN_BIT) {
    it(`13-bit: ${celsius} degC reads 0x${value.toString(16)} with the EM flag`, () => assert.equal(tmp102Encode(celsius, true), (value << 3) | 1));
  }
  it("powers up with configuration 0x60A0 and limits 75 and 80 degC (7.5.3, 7.5.4)", () => {
    const { model } = chipOnBus();
    assert.equal(model.register(1), 0x60a0);
    assert.equal(model.register(2), 0x4b00);
    assert.equal(model.register(3), 0x5000);
  });
  it("keeps R1 R0 read-only", () => {
    const { model, bus } = chipOnBus();
    new SimulatedI2C({ ...bus, address: 0x48 }).write(Uint8Array.of(1, 0x00, 0xa0));
    assert.equal(model.register(1) & 0x6000, 0x6000);
  });
});

describe("TMP102 driver", () => {
  it("reads every datasheet point, in both modes, through I2C and SMBus", () => {
    for (const io of [SimulatedI2C, SimulatedSMBus]) {
      const { state, bus } = chipOnBus();
      const sensor = new TMP102({ sensor: { ...bus, io } });
      for (const [celsius] of TWELVE_BIT) {
        state.temperature = celsius;
        assert.equal(sensor.sample()?.temperature, celsius);
      }
      sensor.configure({ extendedRange: true });
      for (const [celsius] of THIRTEEN_BIT) {
        state.temperature = celsius;
        assert.equal(sensor.sample()?.temperature, celsius);
      }
      sensor.close();
    }
  });

  it("rounds to the chip's 0.0625 degC resolution and clamps at the 12-bit limits", () => {
    const { state, bus } = chipOnBus();
    const sensor = new TMP102({ sensor: bus });
    state.temperature = 21.53;
    assert.equal(sensor.sample()?.temperature, 21.5);
    state.temperature = -10.04;
    assert.equal(sensor.sample()?.temperature, -10.0625);
    state.temperature = 140;
    assert.equal(sensor.sample()?.temperature, 127.9375);
  });

  it("writes configuration to the configuration register (7.5.3)", () => {
    const { model, bus } = chipOnBus();
    const sensor = new TMP102({ sensor: bus });
    sensor.configure({ conversionRate: 8, extendedRange: true });
    assert.equal(model.register(1) & 0x00d0, 0x00d0); // CR1 CR0 = 11, EM = 1
    sensor.configure({ conversionRate: 0.25 });
    assert.equal(model.register(1) & 0x00c0, 0x0000);
    assert.throws(() => sensor.configure({ conversionRate: 2 as 1 }), /conversionRate must be 0.25, 1, 4 or 8/);
  });

  it("refuses bad options, naming them", () => {
    const { bus } = chipOnBus();
    assert.throws(() => new TMP102({ sensor: { ...bus, address: 0x40 } }), /address must be 0x48 to 0x4b/);
    assert.throws(() => new TMP102({} as never), /options.sensor must be an I2C bus/);
  });

  it("reports an absent chip at construction", () => {
    const { bus } = chipOnBus();
    assert.throws(() => new TMP102({ sensor: { ...bus, address: 0x49 } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent" && /0x49/.test(error.message));
  });

  it("reports a chip that stops answering through onError, returns no reading, and recovers", () => {
    const { model, bus, port } = chipOnBus(20);
    const errors: SensorError[] = [];
    const sensor = new TMP102({ sensor: bus, onError: (error) => errors.push(error) });
    simulatedI2CBus(port).detach(0x48);
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].reason, "absent");
    simulatedI2CBus(port).attach(0x48, model);
    assert.equal(sensor.sample()?.temperature, 20);
  });

  it("close() is safe twice and sampling after it fails", () => {
    const { bus } = chipOnBus();
    const sensor = new TMP102({ sensor: bus });
    sensor.close();
    sensor.close();
    assert.throws(() => sensor.sample(), /closed/);
  });
});

describe("TMP102 driver: asynchronous sample and faults", () => {
  it("sample(callback) calls back on a later turn with the reading", async () => {
    const { state, bus } = chipOnBus(23.25);
    const sensor = new TMP102({ sensor: bus });
    let returned = false;
    const result = new Promise<{ error: unknown; sample: unknown; afterReturn: boolean }>((resolve) =>
      sensor.sample((error, sample) => resolve({ error, sample, afterReturn: returned })));
    returned = true;
    assert.deepEqual(await result, { error: undefined, sample: { temperature: 23.25 }, afterReturn: true });
    state.temperature = -4;
    const again = await new Promise((resolve) => sensor.sample((_e, sample) => resolve(sample)));
    assert.deepEqual(again, { temperature: -4 });
  });

  it("reports an impossible reading as a range fault, not as a temperature", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new TMP102({ sensor: bus });
    model.faults = { outOfRange: true };
    const [error, sample] = await new Promise<[SensorError | undefined, unknown]>((resolve) => sensor.sample((e, s) => resolve([e, s])));
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "range");
    model.faults = {};
    assert.equal(typeof sensor.sample()?.temperature, "number");
  });

  it("reports a bus error mid-transfer and recovers on the next sample", () => {
    const { model, bus } = chipOnBus(19.5);
    const errors: SensorError[] = [];
    const sensor = new TMP102({ sensor: bus, onError: (error) => errors.push(error) });
    model.faults = { busErrorAfter: 0 };
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "bus");
    assert.deepEqual(sensor.sample(), { temperature: 19.5 });
  });

  it("reports a chip that does not acknowledge as absent", () => {
    const { model, bus } = chipOnBus();
    const errors: SensorError[] = [];
    const sensor = new TMP102({ sensor: bus, onError: (error) => errors.push(error) });
    model.faults = { absent: true };
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "absent");
    assert.match(errors[0]?.message ?? "", /not acknowledged/);
  });
});
