/*
 * SHT3x driver against the register-level model, and both against
 * Sensirion's own numbers: the conversion formulas (SHT3x-DIS 4.13), the
 * CRC example (4.12), the status register's power-up value (Table 18),
 * the maximum measurement times (Table 4) and the alert note's limit words,
 * so the driver and the model cannot share one wrong guess.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulatedI2CBus } from "../../../sim/devices/board";
import type { I2CTarget } from "../../../sim/devices/bus";
import { crc8Sensirion } from "../../../sim/devices/chip";
import { SimulatedI2C } from "../../../sim/devices/i2c";
import { SHT3xModel, SHT3xStatus, sht3xEncodeHumidity, sht3xEncodeTemperature } from "../../../sim/devices/sht3x";
import { SHT4xModel } from "../../../sim/devices/sht4x";
import { SensorError } from "../../../src/sensors/errors";
import type { CombinedSample } from "../../../src/sensors/sensor";
import SHT3x, { probeSHT3x, sensirionWords, sht3xHumidity, sht3xTemperature } from "../../../src/sensors/sht3x";

const T_LSB = 175 / 65535, RH_LSB = 100 / 65535;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Ports 40-44 in turn; each test gets a fresh chip at 0x44 and closes its driver.
let turn = 0;
function chipOnBus(temperature = 21.5, humidity = 45) {
  const port = 40 + (turn++ % 5);
  const state = { temperature, humidity };
  const model = new SHT3xModel({ temperature: () => state.temperature, humidity: () => state.humidity }, { address: 0x44, serial: 0xcafe0123 });
  simulatedI2CBus(port).detach(0x44);
  simulatedI2CBus(port).detach(0x45);
  simulatedI2CBus(port).attach(0x44, model);
  return { port, state, model, bus: { io: SimulatedI2C, data: 21, clock: 22, port } };
}

function sampleOnce(sensor: SHT3x): Promise<[SensorError | undefined, CombinedSample | undefined]> {
  return new Promise((resolve) => sensor.sample((error, sample) => resolve([error, sample])));
}

/** A raw I2C handle on the model, for talking to it as the datasheet does. */
function raw(port: number, address = 0x44) {
  const io = new SimulatedI2C({ address, port, data: 21, clock: 22 });
  return {
    command: (code: number) => io.write(Uint8Array.of(code >> 8, code & 0xff)),
    read: (count: number) => new Uint8Array(io.read(count)),
    write: (bytes: number[]) => io.write(Uint8Array.from(bytes)),
  };
}

describe("SHT3x conversion and CRC follow the datasheet", () => {
  it("converts the scale's ends and its middle (4.13)", () => {
    assert.equal(sht3xTemperature(0), -45);
    assert.equal(sht3xTemperature(0xffff), 130);
    assert.equal(sht3xTemperature(0x6666), 25); // 26214 = 0.4 * 65535
    assert.equal(sht3xHumidity(0), 0);
    assert.equal(sht3xHumidity(0xffff), 100);
    assert.ok(Math.abs(sht3xHumidity(0x8000) - 50.00076) < 1e-5);
  });

  it("decodes the alert note's power-up limit words to their stated values, within the limits' resolution", () => {
    // Limit word = RH[15:9] | T[15:7]; stated: high set 80 %RH 60 degC, high clear 79/58, low clear 22/-9, low set 20/-10.
    for (const [word, rh, t] of [[0xcd33, 80, 60], [0xc92d, 79, 58], [0x3869, 22, -9], [0x3466, 20, -10]]) {
      assert.ok(Math.abs(sht3xHumidity((word >> 9) << 9) - rh) < 1, `0x${word.toString(16)} RH`);
      assert.ok(Math.abs(sht3xTemperature((word & 0x1ff) << 7) - t) < 0.5, `0x${word.toString(16)} T`);
    }
  });

  it("checks every word against its CRC: CRC(0xBEEF) = 0x92 (4.12)", () => {
    assert.deepEqual(sensirionWords("test", Uint8Array.of(0xbe, 0xef, 0x92, 0x66, 0x66, 0x93), 2), [0xbeef, 0x6666]);
    assert.throws(() => sensirionWords("test", Uint8Array.of(0xbe, 0xef, 0x93), 1), (error: unknown) => error instanceof SensorError && error.reason === "crc");
  });

  it("the model encodes as the inverse formulas", () => {
    assert.equal(sht3xEncodeTemperature(25), 0x6666);
    assert.equal(sht3xEncodeTemperature(-45), 0);
    assert.equal(sht3xEncodeTemperature(130), 0xffff);
    assert.equal(sht3xEncodeHumidity(100), 0xffff);
    assert.equal(sht3xEncodeHumidity(0), 0);
  });
});

describe("SHT3x model follows the datasheet", () => {
  function fakeClock() {
    const chip = chipOnBus();
    const clock = { now: 1000 };
    chip.model.now = () => clock.now;
    return { ...chip, clock, io: raw(chip.port) };
  }

  it("powers up with status 0x8010, heater off; clear status clears bits 15 and 4 (Tables 18, 19)", () => {
    const { model, io } = fakeClock();
    io.command(0xf32d);
    const bytes = io.read(3);
    assert.deepEqual([...bytes], [0x80, 0x10, crc8Sensirion([0x80, 0x10])]);
    io.command(0x306d);
    assert.equal(model.status & SHT3xStatus.heater, SHT3xStatus.heater);
    io.command(0x3041);
    assert.equal(model.status, SHT3xStatus.heater);
    io.command(0x3066);
    assert.equal(model.heater, false);
  });

  it("single shot without clock stretching NACKs a read until the maximum time has passed, then gives the data once (4.4, Table 4)", () => {
    const { clock, io, state } = fakeClock();
    state.temperature = 25;
    state.humidity = 100;
    for (const [command, ms] of [[0x2400, 15], [0x240b, 6], [0x2416, 4]]) {
      io.command(command);
      clock.now += ms - 1;
      assert.throws(() => io.read(6), /not acknowledged/);
      clock.now += 1;
      assert.deepEqual([...io.read(6)], [0x66, 0x66, 0x93, 0xff, 0xff, crc8Sensirion([0xff, 0xff])]);
      assert.throws(() => io.read(6), /not acknowledged/);
    }
  });

  it("single shot with clock stretching answers at once (the chip holds the clock)", () => {
    const { io } = fakeClock();
    io.command(0x2c06);
    assert.equal(io.read(6).length, 6);
  });

  it("periodic mode: fetch NACKs until a measurement is done, gives each result once, break stops it (4.5, 4.6, 4.8)", () => {
    const { model, clock, io } = fakeClock();
    io.command(0x2737); // 10 mps, high
    assert.deepEqual(model.periodic, { mps: 10, repeatability: "high" });
    clock.now += 14;
    io.command(0xe000);
    assert.throws(() => io.read(6), /not acknowledged/);
    clock.now += 1;
    io.command(0xe000);
    assert.equal(io.read(6).length, 6);
    io.command(0xe000);
    assert.throws(() => io.read(6), /not acknowledged/);
    clock.now += 100;
    io.command(0xe000);
    assert.equal(io.read(6).length, 6);
    io.command(0x2400); // a measurement command during periodic mode is not processed
    assert.equal(model.status & SHT3xStatus.commandFailed, SHT3xStatus.commandFailed);
    io.command(0x3093);
    assert.equal(model.periodic, undefined);
    assert.equal(model.status & SHT3xStatus.commandFailed, 0);
  });

  it("soft reset: off the bus for tSR (1.5 ms), then in power-up state (4.9, Table 4)", () => {
    const { model, clock, io } = fakeClock();
    io.command(0x306d);
    io.command(0x2130);
    io.command(0x3093);
    io.command(0x30a2);
    clock.now += 1;
    assert.throws(() => io.command(0xf32d), /not acknowledged/);
    clock.now += 1;
    io.command(0xf32d);
    assert.deepEqual([...io.read(2)], [0x80, 0x10]);
    assert.equal(model.heater, false);
    assert.equal(model.periodic, undefined);
  });

  it("serial number: 0x3682 after tIDLE, 0x3780 at once; two words with CRCs (EIC note)", () => {
    const { clock, io } = fakeClock();
    io.command(0x3682);
    assert.throws(() => io.read(6), /not acknowledged/);
    clock.now += 1;
    const bytes = io.read(6);
    assert.deepEqual(sensirionWords("t", bytes, 2), [0xcafe, 0x0123]);
    io.command(0x3780);
    assert.deepEqual(sensirionWords("t", io.read(6), 2), [0xcafe, 0x0123]);
  });

  it("alert limits: power-up values; a write with a wrong CRC is refused and flagged (alert note, 4.11)", () => {
    const { model, io } = fakeClock();
    assert.deepEqual(model.alertLimits, [0xcd33, 0xc92d, 0x3869, 0x3466]);
    io.command(0xe11f);
    assert.deepEqual(sensirionWords("t", io.read(3), 1), [0xcd33]);
    io.write([0x61, 0x1d, 0xaa, 0xbb, crc8Sensirion([0xaa, 0xbb]) ^ 1]);
    assert.equal(model.status & SHT3xStatus.writeChecksumFailed, SHT3xStatus.writeChecksumFailed);
    assert.equal(model.alertLimits[0], 0xcd33);
    io.write([0x61, 0x1d, 0xaa, 0xbb, crc8Sensirion([0xaa, 0xbb])]);
    assert.equal(model.alertLimits[0], 0xaabb);
    assert.equal(model.status & SHT3xStatus.writeChecksumFailed, 0);
  });

  it("flags an unknown or incomplete command as not processed (status bit 1)", () => {
    const { model, io } = fakeClock();
    io.command(0x1234);
    assert.equal(model.status & SHT3xStatus.commandFailed, SHT3xStatus.commandFailed);
    io.command(0xf32d);
    assert.equal(model.status & SHT3xStatus.commandFailed, 0);
    io.write([0x89]);
    assert.equal(model.status & SHT3xStatus.commandFailed, SHT3xStatus.commandFailed);
  });
});

describe("SHT3x driver: single shot", () => {
  it("reads points across the whole range within one step of the datasheet conversion", async () => {
    const { state, bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    try {
      for (const [t, rh] of [[-40, 0], [-10.5, 12.3], [0, 45], [21.5, 55.55], [60, 80], [125, 100]]) {
        state.temperature = t;
        state.humidity = rh;
        const [error, sample] = await sampleOnce(sensor);
        assert.equal(error, undefined);
        assert.ok(Math.abs(sample!.thermometer.temperature - t) <= T_LSB / 2 + 1e-9, `${t} degC read ${sample!.thermometer.temperature}`);
        assert.ok(Math.abs(sample!.hygrometer!.humidity - rh) <= RH_LSB / 2 + 1e-9, `${rh} %RH read ${sample!.hygrometer!.humidity}`);
      }
    }
    finally {
      sensor.close();
    }
  });

  it("decodes datasheet bytes from a scripted chip: S_T 0x6666 = 25 degC, S_RH 0x8000 = 50.0008 %RH", async () => {
    const port = 40 + (turn++ % 5);
    const script: I2CTarget = {
      write: () => undefined,
      read: (count) => Uint8Array.of(0x66, 0x66, 0x93, 0x80, 0x00, 0xa2).subarray(0, count),
    };
    simulatedI2CBus(port).detach(0x44);
    simulatedI2CBus(port).attach(0x44, script);
    const sensor = new SHT3x({ sensor: { io: SimulatedI2C, data: 21, clock: 22, port } });
    const [error, sample] = await sampleOnce(sensor);
    sensor.close();
    simulatedI2CBus(port).detach(0x44);
    assert.equal(error, undefined);
    assert.equal(sample!.thermometer.temperature, 25);
    assert.ok(Math.abs(sample!.hygrometer!.humidity - 50.00076) < 1e-5);
  });

  it("waits the datasheet's maximum time for each repeatability, on timers: the event loop keeps running", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    await sampleOnce(sensor); // past the reset
    for (const [repeatability, command, ms] of [["high", 0x2400, 15], ["medium", 0x240b, 6], ["low", 0x2416, 4]] as const) {
      sensor.configure({ repeatability });
      const events: string[] = [];
      const timer = setTimeout(() => events.push("timer"), 1);
      const started = Date.now();
      let returned = false;
      const done = new Promise<void>((resolve) => sensor.sample((error) => {
        events.push(returned ? "sample" : "sample (synchronous!)");
        assert.equal(error, undefined);
        resolve();
      }));
      returned = true;
      await done;
      clearTimeout(timer);
      assert.deepEqual(events, ["timer", "sample"]);
      assert.equal(model.lastCommand, command);
      assert.ok(Date.now() - started >= ms, `${repeatability}: answered after ${Date.now() - started} ms`);
    }
    sensor.close();
  });

  it("callers during a measurement share it", async () => {
    const { bus } = chipOnBus(19);
    const sensor = new SHT3x({ sensor: bus });
    const [a, b] = await Promise.all([sampleOnce(sensor), sampleOnce(sensor)]);
    sensor.close();
    assert.deepEqual(a, b);
    assert.ok(Math.abs(a[1]!.thermometer.temperature - 19) < T_LSB);
  });

  it("sample() without a callback in single-shot mode says to pass one", () => {
    const { bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    assert.throws(() => sensor.sample(), (error: unknown) => error instanceof TypeError && /pass a callback/.test(error.message));
    sensor.close();
  });
});

describe("SHT3x driver: configuration", () => {
  it("turns the heater on and off (status bit 13, 4.10)", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    sensor.configure({ heater: true });
    await sampleOnce(sensor);
    assert.equal(model.heater, true);
    sensor.configure({ heater: false });
    await sampleOnce(sensor);
    assert.equal(model.heater, false);
    sensor.close();
  });

  it("periodic mode: the chosen command (Table 10), then synchronous samples of the latest result", async () => {
    const { model, state, bus } = chipOnBus(-12.25, 33);
    const errors: SensorError[] = [];
    const sensor = new SHT3x({ sensor: bus, onError: (error) => errors.push(error) });
    sensor.configure({ mode: "periodic", rate: 10, repeatability: "medium" });
    assert.equal(sensor.sample(), undefined); // nothing measured yet
    assert.equal(errors.shift()?.reason, "busy");
    await delay(30);
    assert.equal(model.lastCommand, 0x2721);
    assert.deepEqual(model.periodic, { mps: 10, repeatability: "medium" });
    const first = sensor.sample();
    assert.ok(first && Math.abs(first.thermometer.temperature + 12.25) <= T_LSB);
    assert.ok(Math.abs(first.hygrometer!.humidity - 33) <= RH_LSB);
    assert.deepEqual(sensor.sample(), first); // nothing newer yet: the same result, no fault
    state.temperature = 30;
    await delay(120);
    assert.ok(Math.abs(sensor.sample()!.thermometer.temperature - 30) <= T_LSB);
    const [error, viaCallback] = await sampleOnce(sensor);
    assert.equal(error, undefined);
    assert.ok(Math.abs(viaCallback!.thermometer.temperature - 30) <= T_LSB);
    assert.deepEqual(errors, []);

    sensor.configure({ rate: 2 }); // break, then the new rate (4.8)
    await delay(10);
    assert.deepEqual(model.periodic, { mps: 2, repeatability: "medium" });
    sensor.configure({ heater: true }); // break, heater, start again
    await delay(10);
    assert.equal(model.heater, true);
    assert.deepEqual(model.periodic, { mps: 2, repeatability: "medium" });
    sensor.configure({ mode: "single" });
    await delay(10);
    assert.equal(model.periodic, undefined);
    assert.throws(() => sensor.sample(), TypeError);
    sensor.close();
  });

  it("restarts periodic mode when the chip stops delivering (e.g. after a reset), reporting busy meanwhile", async () => {
    const { model, port, bus } = chipOnBus(5);
    const errors: SensorError[] = [];
    const sensor = new SHT3x({ sensor: bus, onError: (error) => errors.push(error) });
    sensor.configure({ mode: "periodic", rate: 10 });
    await delay(30);
    assert.ok(sensor.sample());
    raw(port).command(0x3093); // someone else stops it
    await delay(260); // past two periods and a measurement
    assert.equal(sensor.sample(), undefined);
    assert.equal(errors[0]?.reason, "busy");
    await delay(40);
    assert.deepEqual(model.periodic, { mps: 10, repeatability: "high" });
    assert.ok(sensor.sample());
    sensor.close();
  });

  it("refuses bad options, naming them", () => {
    const { bus } = chipOnBus();
    assert.throws(() => new SHT3x({ sensor: { ...bus, address: 0x40 } }), /address must be 0x44 or 0x45/);
    assert.throws(() => new SHT3x({} as never), /options.sensor must be an I2C bus/);
    assert.throws(() => new SHT3x({ sensor: bus, onError: 3 as never }), /onError must be a function/);
    const sensor = new SHT3x({ sensor: bus });
    assert.throws(() => sensor.configure({ mode: "fast" as never }), /mode must be "single" or "periodic"/);
    assert.throws(() => sensor.configure({ repeatability: "ultra" as never }), /repeatability must be/);
    assert.throws(() => sensor.configure({ rate: 3 as never }), /rate must be 0.5, 1, 2, 4 or 10/);
    assert.throws(() => sensor.configure({ heater: "on" as never }), /heater must be true or false/);
    assert.throws(() => sensor.sample(42 as never), TypeError);
    sensor.close();
  });
});

describe("SHT3x driver: faults", () => {
  it("reports an absent chip at construction, naming the address", () => {
    const { bus } = chipOnBus();
    assert.throws(() => new SHT3x({ sensor: { ...bus, address: 0x45 } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent" && /0x45/.test(error.message));
  });

  it("a wrong CRC is a crc fault, never a reading; it recovers", async () => {
    const { model, bus } = chipOnBus(22);
    const sensor = new SHT3x({ sensor: bus });
    await sampleOnce(sensor);
    model.faults = { corruptCrc: true };
    const [error, sample] = await sampleOnce(sensor);
    assert.equal(error?.reason, "crc");
    assert.equal(sample, undefined);
    model.faults = {};
    assert.ok(Math.abs((await sampleOnce(sensor))[1]!.thermometer.temperature - 22) <= T_LSB);
    sensor.close();
  });

  it("a temperature word the chip cannot produce (-45 degC, below its range) is a range fault; it recovers", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    model.faults = { outOfRange: true };
    const [error, sample] = await sampleOnce(sensor);
    assert.equal(error?.reason, "range");
    assert.equal(sample, undefined);
    model.faults = {};
    assert.equal((await sampleOnce(sensor))[0], undefined);
    sensor.close();
  });

  it("a chip that never finishes is a busy fault after twice the datasheet time; it recovers", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    await sampleOnce(sensor);
    model.faults = { busy: true };
    const started = Date.now();
    const [error, sample] = await sampleOnce(sensor);
    assert.equal(error?.reason, "busy");
    assert.equal(sample, undefined);
    assert.ok(Date.now() - started >= 30);
    model.faults = {};
    assert.equal((await sampleOnce(sensor))[0], undefined);
    sensor.close();
  });

  it("a chip that stops answering, or a broken transfer, is a bus fault; it recovers", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    await sampleOnce(sensor);
    model.faults = { absent: true };
    const [error] = await sampleOnce(sensor);
    assert.equal(error?.reason, "bus");
    assert.match(error!.message, /not acknowledged/);
    model.faults = { busErrorAfter: 1 };
    assert.equal((await sampleOnce(sensor))[0]?.reason, "bus");
    model.faults = {};
    assert.equal((await sampleOnce(sensor))[0], undefined);
    sensor.close();
  });

  it("a configuration command that fails reaches onError, or else the next sample", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    await sampleOnce(sensor);
    model.faults = { absent: true };
    sensor.configure({ heater: true });
    await delay(5);
    model.faults = {};
    const [error] = await sampleOnce(sensor);
    assert.equal(error?.reason, "bus");
    const [again] = await sampleOnce(sensor); // the heater command is sent again, and the chip answers
    assert.equal(again, undefined);
    assert.equal(model.heater, true);
    sensor.close();
  });

  it("close() is safe twice, ends a measurement under way with a fault, and sampling after it throws", async () => {
    const { bus } = chipOnBus();
    const sensor = new SHT3x({ sensor: bus });
    const pending = sampleOnce(sensor);
    sensor.close();
    sensor.close();
    const [error] = await pending;
    assert.match(error!.message, /closed/);
    assert.throws(() => sensor.sample(() => undefined), /closed/);
    assert.throws(() => sensor.configure({}), /closed/);
  });
});

describe("SHT3x probe (serial number, EIC note)", () => {
  const probe = (port: number, address = 0x44) => new Promise<number | undefined>((resolve) => {
    const io = new SimulatedI2C({ address, port, data: 21, clock: 22 });
    probeSHT3x(io, (serial) => { io.close(); resolve(serial); });
  });

  it("finds an SHT3x by its serial number, even in periodic mode", async () => {
    const { port } = chipOnBus();
    raw(port).command(0x2130);
    assert.equal(await probe(port), 0xcafe0123);
  });

  it("finds nothing where nothing answers, where the CRCs fail, or where an SHT4x sits", async () => {
    const { port, model } = chipOnBus();
    assert.equal(await probe(port, 0x45), undefined);
    model.faults = { corruptCrc: true };
    assert.equal(await probe(port), undefined);
    simulatedI2CBus(port).detach(0x44);
    simulatedI2CBus(port).attach(0x44, new SHT4xModel({ temperature: () => 20, humidity: () => 50 }));
    assert.equal(await probe(port), undefined);
    simulatedI2CBus(port).detach(0x44);
  });
});
