/*
 * MCP9808 driver against the register-level model, and both against the
 * datasheet's own numbers (Microchip DS25095A): the T_A register description
 * (Register 5-4) and the bytes-to-temperature conversion of Equation 5-1 /
 * Example 5-1, the ID registers, power-up values and the conversion time
 * table.
 *
 * Note on Example 5-1: for T_A < 0 it computes 256 - (UpperByte x 16 +
 * LowerByte / 16), which is the magnitude of the temperature; the register
 * is two's complement (Register 5-4), so the temperature is that value's
 * negative. The tests hold the driver to the register description and check
 * the relation to the example's figure.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulatedI2CBus } from "../../../sim/devices/board";
import { SimulatedI2C, SimulatedSMBus } from "../../../sim/devices/i2c";
import { LM75Model } from "../../../sim/devices/lm75";
import { MCP9808Model, mcp9808Encode } from "../../../sim/devices/mcp9808";
import { TMP117Model } from "../../../sim/devices/tmp117";
import { SensorError } from "../../../src/sensors/errors";
import MCP9808, { mcp9808Celsius, type MCP9808Options, probeMCP9808 } from "../../../src/sensors/mcp9808";
import { attachModel, i2cPlaces, sampleOnce } from "../../helpers/sensors";
import { convertingThermometerContract } from "./converting-thermometer.contract";

// T_A bits 12:0 (sign bit 12, 0.0625 degC/LSB, Register 5-4) for temperatures across the range.
const AMBIENT: [number, number][] = [
  [125, 0x07d0], [100, 0x0640], [25.0625, 0x0191], [25, 0x0190], [0.0625, 0x0001], [0, 0x0000],
  [-0.0625, 0x1fff], [-0.5, 0x1ff8], [-25, 0x1e70], [-40, 0x1d80],
];

/** Equation 5-1 / Example 5-1 as printed: flags cleared; for T_A < 0 the printed formula (a magnitude). */
function example51(upper: number, lower: number): { celsius: number; negative: boolean } {
  let upperByte = upper & 0x1f; // clear flag bits
  if ((upperByte & 0x10) === 0x10) {
    upperByte &= 0x0f; // clear SIGN
    return { celsius: 256 - (upperByte * 16 + lower / 16), negative: true };
  }
  return { celsius: upperByte * 16 + lower / 16, negative: false };
}

// Ports 30..39, addresses 0x18..0x1f.
const nextPlace = i2cPlaces(30, 0x18, 8);

/** An MCP9808 model, powered up now; clock = real time + skew (or only the skew, frozen). */
function chipOnBus(start = 21.5, { frozen = false } = {}) {
  const state = { temperature: start };
  const model = new MCP9808Model({ temperature: () => state.temperature });
  const attached = attachModel(nextPlace(), model, { frozen });
  model.register(6); // power-up
  return { ...attached, state, model };
}

describe("MCP9808 model follows the datasheet", () => {
  for (const [celsius, bits] of AMBIENT) {
    it(`Register 5-4: ${celsius} degC is 0x${bits.toString(16).padStart(4, "0")} in T_A bits 12:0`, () => assert.equal(mcp9808Encode(celsius), bits));
  }

  it("powers up with CONFIG 0000h, resolution 03h, IDs 0054h/0400h, T_A 0000h until the first 250 ms conversion", () => {
    const { model, advance } = chipOnBus(25, { frozen: true });
    assert.equal(model.register(1), 0x0000);
    assert.equal(model.register(8), 0x03);
    assert.equal(model.register(6), 0x0054);
    assert.equal(model.register(7), 0x0400);
    assert.equal(model.register(5) & 0x1fff, 0x0000);
    advance(249);
    assert.equal(model.register(5) & 0x1fff, 0x0000);
    advance(1);
    assert.equal(model.register(5) & 0x1fff, 0x0190);
  });

  it("sets the T_A flag bits from T_CRIT, T_UPPER and T_LOWER (power-up 0 degC each)", () => {
    const { model, advance, state, write16 } = chipOnBus(25, { frozen: true });
    advance(250);
    assert.equal(model.register(5), 0xc190, "T_A >= T_CRIT and > T_UPPER");
    write16(0x04, 0x0640); // T_CRIT 100 degC
    write16(0x02, 0x01e0); // T_UPPER 30 degC
    write16(0x03, 0x0140); // T_LOWER 20 degC
    assert.equal(model.register(5), 0x0190, "inside the window");
    state.temperature = -25;
    advance(250);
    assert.equal(model.register(5), 0x3e70, "T_A < T_LOWER");
  });

  for (const [code, resolution, tconv, bits] of [[0, 0.5, 30, 0x0158], [1, 0.25, 65, 0x0154], [2, 0.125, 130, 0x0154], [3, 0.0625, 250, 0x0155]] as const) {
    it(`resolution ${resolution} degC: a result every ${tconv} ms, lower bits 0 (21.3 degC reads 0x${bits.toString(16)})`, () => {
      const { model, advance, raw } = chipOnBus(21.3, { frozen: true });
      raw.write(Uint8Array.of(0x08, code));
      assert.equal(model.register(8), code);
      advance(tconv - 1);
      assert.equal(model.register(5) & 0x1fff, 0x0000);
      advance(1);
      assert.equal(model.register(5) & 0x1fff, bits);
    });
  }

  it("keeps lock bits until power-on reset; while locked SHDN cannot be set and the limits are read-only (Register 5-2)", () => {
    const { model, write16 } = chipOnBus();
    write16(0x02, 0x0100);
    write16(0x01, 0x0040); // Win. Lock
    write16(0x02, 0x0200);
    assert.equal(model.register(2), 0x0100);
    write16(0x01, 0x0100); // try SHDN and to clear the lock
    assert.equal(model.register(1), 0x0040);
    write16(0x04, 0x0500);
    assert.equal(model.register(4), 0x0500, "T_CRIT is not locked by Win. Lock");
  });

  it("reads 0 from registers past the pointer's 4 bits, and the limit registers keep bits 12:2", () => {
    const { model, write16, raw } = chipOnBus();
    raw.write(Uint8Array.of(0x15), false);
    assert.deepEqual([...new Uint8Array(raw.read(2))], [0, 0]);
    write16(0x02, 0xffff);
    assert.equal(model.register(2), 0x1ffc);
  });
});

describe("MCP9808 driver converts as the datasheet says", () => {
  for (const [celsius, bits] of AMBIENT) {
    it(`T_A 0x${bits.toString(16).padStart(4, "0")} (with any flags) is ${celsius} degC`, () => {
      assert.equal(mcp9808Celsius(bits), celsius);
      assert.equal(mcp9808Celsius(bits | 0xe000), celsius);
    });
  }

  it("agrees with Equation 5-1 / Example 5-1: equal for T_A >= 0, the negative of its printed figure for T_A < 0", () => {
    for (const [upper, lower] of [[0xc1, 0x91], [0x07, 0xd0], [0x00, 0x01], [0x40, 0x00], [0x3e, 0x70], [0x1f, 0xff], [0x1d, 0x80], [0x3f, 0xf8]]) {
      const { celsius, negative } = example51(upper, lower);
      assert.equal(mcp9808Celsius((upper << 8) | lower), negative ? -celsius : celsius, `bytes ${upper.toString(16)} ${lower.toString(16)}`);
    }
  });

  it("reads points across the range through I2C and SMBus", async () => {
    for (const io of [SimulatedI2C, SimulatedSMBus]) {
      const { state, bus, advance } = chipOnBus(0);
      const sensor = new MCP9808({ sensor: { ...bus, io } });
      await sampleOnce(sensor);
      for (const celsius of [-40, -25, -0.0625, 0, 0.0625, 25.0625, 100, 125]) {
        state.temperature = celsius;
        advance(250);
        assert.equal(sensor.sample()?.temperature, celsius);
      }
      sensor.close();
    }
  });

  it("waits for the first conversion: sample() says busy at first, sample(callback) waits tCONV", async () => {
    const { bus } = chipOnBus(24.125);
    const errors: SensorError[] = [];
    const sensor = new MCP9808({ sensor: bus, onError: (error) => errors.push(error) });
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "busy");
    const started = Date.now();
    let returned = false;
    const result = new Promise<[unknown, unknown, boolean]>((resolve) => sensor.sample((error, sample) => resolve([error, sample, returned])));
    returned = true;
    assert.deepEqual(await result, [undefined, { temperature: 24.125 }, true], "not the power-up 0 degC");
    assert.ok(Date.now() - started >= 250);
    sensor.close();
  });
});

describe("MCP9808 driver: configuration", () => {
  it("writes the resolution register, and the next sample(callback) waits that resolution's tCONV", async () => {
    const { model, state, bus } = chipOnBus(21.3);
    const sensor = new MCP9808({ sensor: bus });
    await sampleOnce(sensor);
    assert.equal(sensor.sample()?.temperature, 21.3125);
    for (const [resolution, code, tconv, expected] of [[0.5, 0, 30, 21.5], [0.25, 1, 65, 21.25], [0.125, 2, 130, 21.25], [0.0625, 3, 250, 21.3125]] as const) {
      sensor.configure({ resolution });
      assert.equal(model.register(8), code);
      const started = Date.now();
      const [error, sample] = await sampleOnce(sensor);
      assert.equal(error, undefined);
      assert.ok(Date.now() - started >= tconv, `waited ${tconv} ms`);
      assert.deepEqual(sample, { temperature: expected }, `at ${resolution} degC`);
    }
    state.temperature = 22;
    sensor.close();
  });

  it("sets and clears SHDN, leaving the other CONFIG bits", () => {
    const { model, bus, write16 } = chipOnBus();
    write16(0x01, 0x0208); // T_HYST 01, Alert Cnt.
    const sensor = new MCP9808({ sensor: bus });
    sensor.configure({ shutdown: true });
    assert.equal(model.register(1), 0x0308);
    sensor.configure({ shutdown: false });
    assert.equal(model.register(1), 0x0208);
    sensor.close();
  });

  it("refuses to shut down a locked chip, saying why", () => {
    const { bus, write16 } = chipOnBus();
    write16(0x01, 0x0080); // Crit. Lock
    const sensor = new MCP9808({ sensor: bus });
    assert.throws(() => sensor.configure({ shutdown: true }), /Lock/);
    sensor.close();
  });

  it("refuses bad options, naming them, and changes nothing", () => {
    const { model, bus } = chipOnBus();
    const sensor = new MCP9808({ sensor: bus });
    assert.throws(() => sensor.configure({ resolution: 0.1 as 0.5 }), /resolution must be 0.5, 0.25, 0.125 or 0.0625/);
    assert.throws(() => sensor.configure({ resolution: 0.5, shutdown: 1 as never }), /shutdown must be true or false/);
    assert.throws(() => sensor.configure("fast" as never), /needs an options object/);
    assert.equal(model.register(8), 0x03);
    assert.equal(model.register(1), 0x0000);
    assert.throws(() => new MCP9808({ sensor: { ...bus, address: 0x48 } }), /address must be 0x18 to 0x1f/);
    assert.throws(() => new MCP9808(undefined as never), /options.sensor must be an I2C bus/);
    sensor.close();
  });

  it("reports no chip, or another chip, at the address as absent", () => {
    assert.throws(() => new MCP9808({ sensor: { io: SimulatedI2C, data: 21, clock: 22, ...nextPlace() } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent");
    const place = nextPlace();
    simulatedI2CBus(place.port).attach(place.address, new TMP117Model({ temperature: () => 20 }));
    assert.throws(() => new MCP9808({ sensor: { io: SimulatedI2C, data: 21, clock: 22, ...place } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent" && /ID registers/.test(error.message));
  });
});

convertingThermometerContract({
  name: "MCP9808",
  chipOnBus: (start) => chipOnBus(start),
  open: (bus, onError) => new MCP9808({ sensor: bus as MCP9808Options["sensor"], onError }),
  sleepy: async (bus) => {
    const sensor = new MCP9808({ sensor: bus as MCP9808Options["sensor"] });
    sensor.configure({ shutdown: true, resolution: 0.25 });
    return sensor;
  },
  shutdownBit: 0x0100,
  settleMs: 320,
});

describe("MCP9808 probe", () => {
  it("answers true for an MCP9808 and false for a TMP117, an LM75 or nothing", () => {
    assert.equal(probeMCP9808(chipOnBus().raw), true);
    for (const other of [new TMP117Model({ temperature: () => 20 }), new LM75Model({ temperature: () => 20 })]) {
      const place = nextPlace();
      simulatedI2CBus(place.port).attach(place.address, other);
      assert.equal(probeMCP9808(new SimulatedI2C({ ...place })), false, other.name);
    }
    assert.equal(probeMCP9808(new SimulatedI2C({ ...nextPlace() })), false);
  });
});
