/*
 * What every driver over src/sensors/conversions.ts promises (LM75,
 * MCP9808: thermometers that convert on their own and can sleep between
 * samples), run against each chip's register-level model: the wake-up for a
 * sample in shutdown mode, faults reported and recovered from, a stalled
 * converter, and close() at any point.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChipFaults } from "../../../sim/devices/chip";
import type { SensorError } from "../../../src/sensors/errors";
import type { SampleCallback, ThermometerSample } from "../../../src/sensors/sensor";
import { delay, sampleOnce } from "../../helpers/sensors";

interface Driver {
  configure(options: { shutdown?: boolean }): void;
  sample(): ThermometerSample | undefined;
  sample(callback: SampleCallback<ThermometerSample>): void;
  close(): void;
}

interface Chip {
  model: { faults: ChipFaults; register(index: number): number };
  state: { temperature: number };
  bus: object;
  advance(ms: number): void;
}

export interface ConvertingThermometer {
  name: string;
  chipOnBus(start: number): Chip;
  open(bus: object, onError?: (error: SensorError) => void): Driver;
  /** The driver configured to shut the chip down between samples, settings chosen for a short conversion. */
  sleepy(bus: object): Promise<Driver>;
  /** The shutdown bit in the configuration register (register 1). */
  shutdownBit: number;
  /** The longest conversion at the settings used, ms, with the driver's margin and some slack. */
  settleMs: number;
}

export function convertingThermometerContract(chip: ConvertingThermometer): void {
  const { name, shutdownBit, settleMs } = chip;
  const asleep = (model: Chip["model"]) => (model.register(1) & shutdownBit) !== 0;

  describe(`${name} driver: shutdown mode, asynchronous sample and faults`, () => {
    it("wakes a shut-down chip for each sample(callback) without blocking the event loop, then shuts it down", async () => {
      const { model, state, bus } = chip.chipOnBus(20);
      const sensor = await chip.sleepy(bus);
      state.temperature = -3.25;
      const order: string[] = [];
      setTimeout(() => order.push("timer"), 5);
      const pending = sampleOnce(sensor);
      assert.equal(asleep(model), false, "awake while converting");
      const [error, sample] = await pending;
      order.push("sample");
      assert.deepEqual([error, sample], [undefined, { temperature: -3.25 }]);
      assert.deepEqual(order, ["timer", "sample"]);
      assert.equal(asleep(model), true, "shut down again");
      state.temperature = 40;
      await delay(settleMs);
      assert.equal(sensor.sample()?.temperature, -3.25, "sample() returns the last conversion");
      sensor.close();
    });

    it("serves every sample(callback) waiting at the time with one conversion", async () => {
      const { model, bus } = chip.chipOnBus(12.5);
      const sensor = await chip.sleepy(bus);
      const results = await Promise.all([sampleOnce(sensor), sampleOnce(sensor), sampleOnce(sensor)]);
      assert.deepEqual(results, Array(3).fill([undefined, { temperature: 12.5 }]));
      assert.equal(asleep(model), true);
      sensor.close();
    });

    it("reports an impossible reading as a range fault, and recovers", async () => {
      const { model, bus, advance } = chip.chipOnBus(22);
      const errors: SensorError[] = [];
      const sensor = chip.open(bus, (error) => errors.push(error));
      await sampleOnce(sensor);
      model.faults = { outOfRange: true };
      assert.equal(sensor.sample(), undefined);
      assert.equal(errors[0]?.reason, "range");
      const [error, sample] = await sampleOnce(sensor);
      assert.equal(error?.reason, "range");
      assert.equal(sample, undefined);
      model.faults = {};
      advance(settleMs);
      assert.equal(sensor.sample()?.temperature, 22);
      sensor.close();
    });

    it("reports a NACK as absent and a broken transfer as bus, and recovers", async () => {
      const { model, bus } = chip.chipOnBus(19.5);
      const errors: SensorError[] = [];
      const sensor = chip.open(bus, (error) => errors.push(error));
      await sampleOnce(sensor);
      model.faults = { absent: true };
      assert.equal(sensor.sample(), undefined);
      assert.equal(errors[0]?.reason, "absent");
      assert.equal((await sampleOnce(sensor))[0]?.reason, "absent");
      model.faults = { busErrorAfter: 1 };
      assert.equal(sensor.sample(), undefined);
      assert.equal(errors[1]?.reason, "bus");
      assert.deepEqual(sensor.sample(), { temperature: 19.5 });
      sensor.close();
    });

    it("throws a fault from sample() when there is no onError", async () => {
      const { model, bus } = chip.chipOnBus(19.5);
      const sensor = chip.open(bus);
      await sampleOnce(sensor);
      model.faults = { absent: true };
      assert.throws(() => sensor.sample(), (error: SensorError) => error.reason === "absent" && error.message.startsWith(`${name}: `));
      sensor.close();
    });

    it(`a stalled converter (busy) cannot be told from a steady temperature: no ${name} register shows it`, async () => {
      const { model, state, bus, advance } = chip.chipOnBus(20);
      const sensor = chip.open(bus);
      await sampleOnce(sensor);
      model.faults = { busy: true };
      state.temperature = 30;
      advance(settleMs * 4);
      assert.equal(sensor.sample()?.temperature, 20, "the last result, as on a real chip");
      model.faults = {};
      assert.equal(sensor.sample()?.temperature, 30, "conversions resume when the fault clears");
      sensor.close();
    });

    it("close() is safe twice, abandons a sample under way, and sampling after it fails", async () => {
      const { bus } = chip.chipOnBus(21.5);
      const sensor = chip.open(bus);
      let called = false;
      sensor.sample(() => { called = true; });
      sensor.close();
      sensor.close();
      await delay(settleMs);
      assert.equal(called, false);
      assert.throws(() => sensor.sample(), /closed/);
    });

    it("close() during a wake-up shuts the chip down again", async () => {
      const { model, bus } = chip.chipOnBus(21.5);
      const sensor = await chip.sleepy(bus);
      sensor.sample(() => assert.fail("abandoned"));
      assert.equal(asleep(model), false);
      sensor.close();
      assert.equal(asleep(model), true);
      await delay(settleMs);
    });
  });
}
