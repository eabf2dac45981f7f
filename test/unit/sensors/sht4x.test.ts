/*
 * SHT4x driver against the register-level model, and both against
 * Sensirion's own numbers: the conversion formulas and the recommended
 * cropping (SHT4x 4.6), the CRC example (4.4), the commands (4.5) and the
 * maximum measurement, reset and heater times (Table 4), so the driver and
 * the model cannot share one wrong guess.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simulatedI2CBus } from "../../../sim/devices/board";
import type { I2CTarget } from "../../../sim/devices/bus";
import { SimulatedI2C } from "../../../sim/devices/i2c";
import { SHT3xModel } from "../../../sim/devices/sht3x";
import { SHT4xModel, sht4xEncodeHumidity, sht4xEncodeTemperature } from "../../../sim/devices/sht4x";
import { SensorError } from "../../../src/sensors/errors";
import type { CombinedSample } from "../../../src/sensors/sensor";
import { sensirionWords } from "../../../src/sensors/sht3x";
import SHT4x, { probeSHT4x, sht4xHumidity, sht4xTemperature } from "../../../src/sensors/sht4x";

const T_LSB = 175 / 65535, RH_LSB = 125 / 65535;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Ports 45-49 in turn; each test gets a fresh chip at 0x44 and closes its driver.
let turn = 0;
function chipOnBus(temperature = 21.5, humidity = 45) {
  const port = 45 + (turn++ % 5);
  const state = { temperature, humidity };
  const model = new SHT4xModel({ temperature: () => state.temperature, humidity: () => state.humidity }, { address: 0x44, serial: 0x12345678 });
  simulatedI2CBus(port).detach(0x44);
  simulatedI2CBus(port).attach(0x44, model);
  return { port, state, model, bus: { io: SimulatedI2C, data: 21, clock: 22, port } };
}

function sampleOnce(sensor: SHT4x): Promise<[SensorError | undefined, CombinedSample | undefined]> {
  return new Promise((resolve) => sensor.sample((error, sample) => resolve([error, sample])));
}

describe("SHT4x conversion follows the datasheet (4.6)", () => {
  it("converts the scale's ends and points in between", () => {
    assert.equal(sht4xTemperature(0), -45);
    assert.equal(sht4xTemperature(0xffff), 130);
    assert.equal(sht4xTemperature(0x6666), 25);
    // RH = -6 + 125 * S / 65535: 0 %RH at S = 3145.68, 50 %RH at S = 29359.68, 100 %RH at S = 55574.
    assert.ok(Math.abs(sht4xHumidity(29360) - 50) <= RH_LSB);
    assert.ok(Math.abs(sht4xHumidity(3146) - 0) <= RH_LSB);
    assert.ok(Math.abs(sht4xHumidity(55574) - 100) <= 1e-9);
  });

  it("crops humidity to 0..100 %RH, as 4.6 recommends", () => {
    assert.equal(sht4xHumidity(0), 0);       // -6 %RH before cropping
    assert.equal(sht4xHumidity(0xffff), 100); // 119 %RH before cropping
    assert.equal(sht4xHumidity(1000), 0);
    assert.equal(sht4xHumidity(60000), 100);
  });

  it("the model encodes as the inverse formulas", () => {
    assert.equal(sht4xEncodeTemperature(25), 0x6666);
    assert.equal(sht4xEncodeHumidity(-6), 0);
    assert.equal(sht4xEncodeHumidity(119), 0xffff);
  });
});

describe("SHT4x model follows the datasheet", () => {
  function fakeClock() {
    const chip = chipOnBus(25, 50);
    const clock = { now: 1000 };
    chip.model.now = () => clock.now;
    const io = new SimulatedI2C({ address: 0x44, port: chip.port, data: 21, clock: 22 });
    return { ...chip, clock, send: (...bytes: number[]) => io.write(Uint8Array.from(bytes)), read: (count: number) => new Uint8Array(io.read(count)) };
  }

  it("NACKs a read until the maximum measurement time has passed, then gives T and RH once, each with its CRC (4.3, 4.4, Table 4)", () => {
    const { clock, send, read } = fakeClock();
    for (const [command, ms] of [[0xfd, 8.3], [0xf6, 4.5], [0xe0, 1.6]]) {
      send(command);
      clock.now += ms - 0.1;
      assert.throws(() => read(6), /not acknowledged/);
      clock.now += 0.1;
      const [t, rh] = sensirionWords("t", read(6), 2);
      assert.equal(t, 0x6666); // 25 degC
      assert.equal(rh, Math.round((56 * 65535) / 125)); // 50 %RH
      assert.throws(() => read(6), /not acknowledged/);
    }
  });

  it("reads its serial number: two words with CRCs (command 0x89)", () => {
    const { send, read } = fakeClock();
    send(0x89);
    assert.deepEqual(sensirionWords("t", read(6), 2), [0x1234, 0x5678]);
  });

  it("soft reset (0x94): off the bus for tSR, 1 ms (Table 4)", () => {
    const { clock, send, read } = fakeClock();
    send(0xfd);
    send(0x94); // ignored: measuring
    clock.now += 9;
    send(0x94);
    clock.now += 0.5;
    assert.throws(() => send(0xfd), /not acknowledged/);
    clock.now += 0.5;
    send(0x89);
    assert.equal(read(6).length, 6);
  });

  it("a heater pulse heats for its time, then measures the heated sensor (4.9, Table 4)", () => {
    const { model, clock, send, read } = fakeClock();
    send(0x39); // 200 mW, 1 s
    assert.equal(model.heating, true);
    clock.now += 1099;
    assert.equal(model.heating, true);
    assert.throws(() => read(6), /not acknowledged/);
    clock.now += 1 + 8.3;
    assert.equal(model.heating, false);
    const [t] = sensirionWords("t", read(6), 2);
    assert.ok(sht4xTemperature(t) > 25);
  });

  it("does not acknowledge a byte that is no command, nor a second byte", () => {
    const { send } = fakeClock();
    assert.throws(() => send(0x30), /not acknowledged/);
    assert.throws(() => send(0xfd, 0x00), /not acknowledged/);
    send(); // an address poll is acknowledged
  });
});

describe("SHT4x driver", () => {
  it("reads points across the whole range within one step of the datasheet conversion", async () => {
    const { state, bus } = chipOnBus();
    const sensor = new SHT4x({ sensor: bus });
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

  it("crops what the chip measures beyond 0 and 100 %RH (condensation, 4.6)", async () => {
    const { state, bus } = chipOnBus(20, -3);
    const sensor = new SHT4x({ sensor: bus });
    assert.equal((await sampleOnce(sensor))[1]!.hygrometer!.humidity, 0);
    state.humidity = 104;
    assert.equal((await sampleOnce(sensor))[1]!.hygrometer!.humidity, 100);
    sensor.close();
  });

  it("decodes datasheet bytes from a scripted chip: S_T 0x6666 = 25 degC, S_RH 0x8000 = 56.50 %RH", async () => {
    const port = 45 + (turn++ % 5);
    const script: I2CTarget = { write: () => undefined, read: (count) => Uint8Array.of(0x66, 0x66, 0x93, 0x80, 0x00, 0xa2).subarray(0, count) };
    simulatedI2CBus(port).detach(0x44);
    simulatedI2CBus(port).attach(0x44, script);
    const sensor = new SHT4x({ sensor: { io: SimulatedI2C, data: 21, clock: 22, port } });
    const [error, sample] = await sampleOnce(sensor);
    sensor.close();
    simulatedI2CBus(port).detach(0x44);
    assert.equal(error, undefined);
    assert.equal(sample!.thermometer.temperature, 25);
    assert.ok(Math.abs(sample!.hygrometer!.humidity - (-6 + (125 * 32768) / 65535)) < 1e-9);
  });

  it("uses the configured precision's command and waits its maximum time, on timers", async () => {
    const { model, bus } = chipOnBus();
    const sensor = new SHT4x({ sensor: bus });
    for (const [precision, command, ms] of [["high", 0xfd, 8.3], ["medium", 0xf6, 4.5], ["low", 0xe0, 1.6]] as const) {
      sensor.configure({ precision });
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
      assert.ok(Date.now() - started >= Math.floor(ms), `${precision}: answered after ${Date.now() - started} ms`);
    }
    sensor.close();
  });

  it("sample() without a callback throws, saying the conversion takes time", () => {
    const { bus } = chipOnBus();
    const sensor = new SHT4x({ sensor: bus });
    assert.throws(() => (sensor.sample as () => void)(), (error: unknown) => error instanceof TypeError && /takes up to 8.3 ms/.test(error.message) && /pass a callback/.test(error.message));
    sensor.close();
  });

  it("callers during a measurement share it", async () => {
    const { bus } = chipOnBus(-7);
    const sensor = new SHT4x({ sensor: bus });
    const [a, b] = await Promise.all([sampleOnce(sensor), sampleOnce(sensor)]);
    sensor.close();
    assert.deepEqual(a, b);
    assert.ok(Math.abs(a[1]!.thermometer.temperature + 7) < T_LSB);
  });

  it("heat(): one pulse, then the heated reading; samples wait for it", async () => {
    const { model, state, bus } = chipOnBus(20);
    const sensor = new SHT4x({ sensor: bus });
    const heated = new Promise<[SensorError | undefined, CombinedSample | undefined]>((resolve) =>
      sensor.heat({ power: 200, duration: 0.1 }, (error, sample) => resolve([error, sample])));
    const after = sampleOnce(sensor);
    await delay(20);
    assert.equal(model.heating, true);
    assert.equal(model.lastCommand, 0x32);
    const [error, sample] = await heated;
    assert.equal(error, undefined);
    assert.ok(sample!.thermometer.temperature > state.temperature + 0.5);
    const [, normal] = await after;
    assert.equal(model.lastCommand, 0xfd);
    assert.ok(Math.abs(normal!.thermometer.temperature - 20) <= T_LSB);
    sensor.close();
  });

  it("refuses bad options, naming them", () => {
    const { bus } = chipOnBus();
    assert.throws(() => new SHT4x({ sensor: { ...bus, address: 0x47 } }), /address must be 0x44, 0x45 or 0x46/);
    assert.throws(() => new SHT4x({} as never), /options.sensor must be an I2C bus/);
    assert.throws(() => new SHT4x({ sensor: bus, onError: "x" as never }), /onError must be a function/);
    const sensor = new SHT4x({ sensor: bus });
    assert.throws(() => sensor.configure({ precision: "best" as never }), /precision must be "high", "medium" or "low"/);
    assert.throws(() => sensor.heat({ power: 50 as never, duration: 1 }, () => undefined), /power must be 20, 110 or 200/);
    assert.throws(() => sensor.heat({ power: 20, duration: 2 as never }, () => undefined), /duration must be 0.1 or 1/);
    sensor.close();
  });

  it("reports an absent chip at construction, naming the address", () => {
    const { bus } = chipOnBus();
    assert.throws(() => new SHT4x({ sensor: { ...bus, address: 0x46 } }), (error: unknown) =>
      error instanceof SensorError && error.reason === "absent" && /0x46/.test(error.message));
  });

  it("faults: crc, range (130 degC, above what the chip reports), busy, bus; each recovers", async () => {
    const { model, bus } = chipOnBus(23);
    const sensor = new SHT4x({ sensor: bus });
    for (const [faults, reason] of [[{ corruptCrc: true }, "crc"], [{ outOfRange: true }, "range"], [{ busy: true }, "busy"], [{ absent: true }, "bus"], [{ busErrorAfter: 0 }, "bus"]] as const) {
      model.faults = { ...faults };
      const [error, sample] = await sampleOnce(sensor);
      assert.equal(error?.reason, reason, JSON.stringify(faults));
      assert.equal(sample, undefined);
      model.faults = {};
      const [again, recovered] = await sampleOnce(sensor);
      assert.equal(again, undefined, `after ${JSON.stringify(faults)}: ${again?.message}`);
      assert.ok(Math.abs(recovered!.thermometer.temperature - 23) <= T_LSB);
    }
    sensor.close();
  });

  it("close() is safe twice, ends a measurement or heater pulse under way with a fault, and sampling after it throws", async () => {
    const { bus } = chipOnBus();
    const sensor = new SHT4x({ sensor: bus });
    const pending = sampleOnce(sensor);
    const heating = new Promise<SensorError | undefined>((resolve) => sensor.heat({ power: 20, duration: 1 }, (error) => resolve(error)));
    sensor.close();
    sensor.close();
    assert.match((await pending)[0]!.message, /closed/);
    assert.match((await heating)!.message, /closed/);
    assert.throws(() => sensor.sample(() => undefined), /closed/);
  });
});

describe("SHT4x probe (serial number)", () => {
  const probe = (port: number, address = 0x44) => new Promise<number | undefined>((resolve) => {
    const io = new SimulatedI2C({ address, port, data: 21, clock: 22 });
    probeSHT4x(io, (serial) => { io.close(); resolve(serial); });
  });

  it("finds an SHT4x by its serial number", async () => {
    const { port } = chipOnBus();
    assert.equal(await probe(port), 0x12345678);
  });

  it("finds nothing where nothing answers, where the CRCs fail, or where an SHT3x sits", async () => {
    const { port, model } = chipOnBus();
    assert.equal(await probe(port, 0x45), undefined);
    model.faults = { corruptCrc: true };
    assert.equal(await probe(port), undefined);
    simulatedI2CBus(port).detach(0x44);
    simulatedI2CBus(port).attach(0x44, new SHT3xModel({ temperature: () => 20, humidity: () => 50 }));
    assert.equal(await probe(port), undefined);
    simulatedI2CBus(port).detach(0x44);
  });
});
