/*
 * DS18B20 driver against the datasheet's own numbers (Maxim 19-7487 Rev 6:
 * Table 1 "Temperature/Data Relationship", Table 2 "Thermometer Resolution
 * Configuration", Figures 4, 9 and 10) and against the scratchpad-level model
 * on simulated 1-Wire buses (pins 60-69), so the driver and the model cannot
 * share one wrong guess. Independent vectors: the power-up scratchpad and ROM
 * read from a Maxim part (C. Petrich, counterfeit_DS18B20, Family A), and the
 * scratchpads recorded in the Moddable SDK's onewire simulator.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { oneWireBus } from "../../../sim/devices/board";
import { DS18B20Model, ds18b20Encode } from "../../../sim/devices/ds18b20";
import { SimulatedOneWire } from "../../../sim/devices/onewire";
import type { OneWireDevice } from "../../../sim/devices/onewire-bus";
import { maximCRC } from "../../../src/sensors/crc";
import DS18B20, { ds18b20BusOrder, ds18b20Celsius, findDS18B20, probeDS18B20 } from "../../../src/sensors/ds18b20";
import { SensorError } from "../../../src/sensors/errors";
import type { ThermometerSample } from "../../../src/sensors/sensor";

/** Table 1: temperature -> register at 12 bits. */
const TABLE_1: [number, number][] = [
  [125, 0x07d0], [85, 0x0550], [25.0625, 0x0191], [10.125, 0x00a2], [0.5, 0x0008], [0, 0x0000],
  [-0.5, 0xfff8], [-10.125, 0xff5e], [-25.0625, 0xfe6f], [-55, 0xfc90],
];

const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
const hexOf = (data: Uint8Array) => Array.from(data, (byte) => byte.toString(16).padStart(2, "0")).join("");

let nextPin = 60;
/** A pin in 60-69 with an empty bus (pins are reused once all ten are taken). */
function freshPin(): number {
  const pin = nextPin;
  nextPin = nextPin === 69 ? 60 : nextPin + 1;
  const bus = oneWireBus(pin);
  for (const device of [...bus.devices]) bus.detach(device);
  return pin;
}

let serial = 0x100;
function chipOnBus(start = 21.5, options: { parasite?: boolean; pin?: number } = {}) {
  const pin = options.pin ?? freshPin();
  const state = { temperature: start };
  const model = new DS18B20Model({ temperature: () => state.temperature }, { rom: `${(serial++).toString(16).padStart(4, "0")}430b0000`, parasite: options.parasite });
  oneWireBus(pin).attach(model);
  return { pin, state, model, sensor: { io: SimulatedOneWire, pin } };
}

function sampleOnce(sensor: DS18B20): Promise<[SensorError | undefined, ThermometerSample | undefined]> {
  return new Promise((resolve) => sensor.sample((error, sample) => resolve([error, sample])));
}

/** esp32's `onewire`: search() gives ROM codes byte-reversed and select() expects them so (modonewire.c swap/copyFlipped). */
class ReversedOneWire extends SimulatedOneWire {
  override search(): ArrayBuffer[] {
    return super.search().map((rom) => new Uint8Array(rom).reverse().buffer);
  }
  override select(rom: ArrayBuffer | ArrayBufferView): void {
    const view = rom instanceof ArrayBuffer ? new Uint8Array(rom) : new Uint8Array(rom.buffer, rom.byteOffset, rom.byteLength);
    super.select(view.slice().reverse().buffer);
  }
}

describe("DS18B20 model follows the datasheet", () => {
  for (const [celsius, word] of TABLE_1) {
    it(`Table 1: ${celsius} degC is 0x${word.toString(16).padStart(4, "0")} at 12 bits`, () => assert.equal(ds18b20Encode(celsius, 12), word));
  }

  it("rounds to the resolution's step at 9 to 11 bits (Figure 4)", () => {
    assert.equal(ds18b20Encode(21.3, 11), 21.25 * 16);
    assert.equal(ds18b20Encode(21.3, 10), 21.25 * 16);
    assert.equal(ds18b20Encode(21.3, 9), 21.5 * 16);
    assert.equal(ds18b20Encode(-10.125, 9), 0xff60); // -10.0
  });

  it("powers up with 85 degC, the EEPROM bytes and FFh 0Ch 10h, as a Maxim part reads (Figure 9)", () => {
    const { model } = chipOnBus();
    // Scratchpad read from a Maxim DS18B20 at power-up (Petrich, Family A): 50/05/4B/46/7F/FF/0C/10/1C.
    assert.equal(hexOf(model.scratchpad()), "50054b467fff0c101c");
  });

  it("has a ROM code with family 28h and a valid CRC (Figure 8)", () => {
    const { model } = chipOnBus();
    assert.equal(model.rom[0], 0x28);
    assert.equal(maximCRC(model.rom, 0, 8), 0);
    assert.throws(() => new DS18B20Model({ temperature: () => 0 }, { rom: "28139bbb0b000000" }), /CRC/);
  });

  it("keeps bit 7 at 0 and bits 4..0 at 1 in the configuration register (Figure 10)", () => {
    const { model, pin } = chipOnBus();
    const bus = new SimulatedOneWire({ pin });
    for (const [written, reads] of [[0x00, 0x1f], [0xff, 0x7f], [0x40, 0x5f]]) {
      bus.select(model.rom.slice().buffer);
      bus.write(0x4e);
      for (const byte of [0x7d, 0xc9, written]) bus.write(byte);
      assert.equal(model.scratchpad()[4], reads);
      assert.equal(hexOf(model.scratchpad().subarray(2, 4)), "7dc9");
    }
  });

  it("converts in the time Table 2 gives; read slots say 0 until done; an early Read Scratchpad gives the old contents", () => {
    const { model, pin, state } = chipOnBus(-10.125);
    let clock = 1_000_000;
    model.now = () => clock;
    const bus = new SimulatedOneWire({ pin });
    const rom = model.rom.slice().buffer;
    bus.select(rom);
    bus.write(0x44);
    assert.equal(bus.read(), 0x00);
    clock += 749;
    assert.equal(bus.read(), 0x00);
    bus.select(rom);
    bus.write(0xbe);
    assert.equal(hexOf(new Uint8Array(bus.read(2))), "5005"); // still the power-on value
    state.temperature = 30; // the conversion measured at Convert T time
    clock += 1;
    bus.select(rom);
    bus.write(0xbe);
    const pad = new Uint8Array(bus.read(9));
    assert.equal(pad[0] | (pad[1] << 8), 0xff5e);
    assert.equal(pad[6], 0x10 - 0x0e); // (byte 0 + byte 6) & 0Fh = 0 on Maxim parts
    assert.equal(maximCRC(pad, 0, 9), 0);
  });

  it("converts at 9 bits in 93.75 ms and leaves junk in the undefined bits", () => {
    const { model, pin } = chipOnBus(25.0625);
    let clock = 0;
    model.now = () => clock;
    const bus = new SimulatedOneWire({ pin });
    const rom = model.rom.slice().buffer;
    bus.select(rom);
    bus.write(0x4e);
    for (const byte of [0x4b, 0x46, 0x1f]) bus.write(byte);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      bus.select(rom);
      bus.write(0x44);
      clock += 93;
      assert.equal(bus.read(), 0x00);
      clock += 1;
      assert.equal(bus.read(), 0xff);
      const pad = model.scratchpad();
      words.push(pad[0] | (pad[1] << 8));
    }
    assert.ok(words.every((word) => (word & ~7) === 0x0190), words.map((w) => w.toString(16)).join());
    assert.ok(words.some((word) => (word & 7) !== 0), "undefined bits vary");
  });

  it("copies to EEPROM, recalls it and reloads it at power-up; reports its power supply", () => {
    const { model, pin } = chipOnBus();
    const parasite = chipOnBus(20, { parasite: true, pin }).model;
    const bus = new SimulatedOneWire({ pin });
    const rom = model.rom.slice().buffer;
    bus.select(rom);
    bus.write(0x4e);
    for (const byte of [0x19, 0xf6, 0x3f]) bus.write(byte);
    bus.select(rom);
    bus.write(0x48);
    assert.equal(hexOf(model.eeprom()), "19f63f");
    bus.select(rom);
    bus.write(0x4e);
    for (const byte of [0x00, 0x00, 0x7f]) bus.write(byte);
    bus.select(rom);
    bus.write(0xb8);
    assert.equal(hexOf(model.scratchpad().subarray(2, 5)), "19f63f");
    model.powerCycle();
    assert.equal(hexOf(model.scratchpad().subarray(0, 5)), "500519f63f");
    bus.select(rom);
    bus.write(0xb4);
    assert.equal(bus.read(), 0xff);
    bus.select(parasite.rom.slice().buffer);
    bus.write(0xb4);
    assert.equal(bus.read() & 1, 0);
  });
});

describe("DS18B20 driver: conversions by the datasheet", () => {
  for (const [celsius, word] of TABLE_1) {
    it(`Table 1: 0x${word.toString(16).padStart(4, "0")} reads ${celsius} degC`, () => assert.equal(ds18b20Celsius(word & 0xff, word >> 8, 12), celsius));
  }

  it("clears the bits the datasheet leaves undefined below 12 bits", () => {
    assert.equal(ds18b20Celsius(0x97, 0x01, 9), 25);       // 0197h: bits 2..0 undefined
    assert.equal(ds18b20Celsius(0x93, 0x01, 10), 25);      // bits 1..0
    assert.equal(ds18b20Celsius(0x93, 0x01, 11), 25.125);  // bit 0
    assert.equal(ds18b20Celsius(0x6f, 0xfe, 9), -25.5);    // FE6Fh at 9 bits: FE68h
  });

  it("reads scratchpads recorded by the Moddable SDK's simulator", () => {
    // modules/drivers/onewire/sim/modonewire.c: "800115097FFF10107D" and "7A0115097FFF0610B0".
    for (const [pad, celsius] of [["800115097fff10107d", 24], ["7a0115097fff0610b0", 23.625]] as const) {
      const data = bytes(pad);
      assert.equal(maximCRC(data, 0, 8), data[8]);
      assert.equal(ds18b20Celsius(data[0], data[1], 12), celsius);
    }
  });

  it("finds the family code at either end of a ROM code and checks its CRC", () => {
    const rom = bytes("28139bbb0b00001f"); // a Maxim part's ROM (Petrich, Family A)
    assert.equal(hexOf(ds18b20BusOrder(rom)!), "28139bbb0b00001f");
    assert.equal(hexOf(ds18b20BusOrder(rom.slice().reverse())!), "28139bbb0b00001f");
    assert.equal(ds18b20BusOrder(bytes("28139bbb0b000020")), undefined);
    assert.equal(ds18b20BusOrder(bytes("021cb801000000a2")), undefined); // AN27's DS2401: valid CRC, family 02h
  });

  it("reads every Table 1 point from simulated chips, -55 to +125 degC, at 12 bits", async () => {
    const pin = freshPin();
    const chips = TABLE_1.map(([celsius]) => chipOnBus(celsius, { pin }));
    const sensors = chips.map(({ model, sensor }) => new DS18B20({ sensor: { ...sensor, rom: hexOf(model.rom) } }));
    assert.ok(sensors.every((sensor) => sensor.resolution === 12));
    const results = await Promise.all(sensors.map(sampleOnce));
    assert.deepEqual(results.map(([error, sample]) => error ?? sample?.temperature), TABLE_1.map(([celsius]) => celsius));
    for (const sensor of sensors) sensor.close();
  });

  it("reads 85 degC when the chip converted 85 degC", async () => {
    const { sensor } = chipOnBus(85);
    const ds = new DS18B20({ sensor });
    ds.configure({ resolution: 9 });
    // 0550h again, but after a conversion: byte 6 reads 10h, not its power-up 0Ch.
    assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: 85 }]);
    ds.close();
  });
});

describe("DS18B20 driver: configuration", () => {
  it("writes the resolution to the configuration register, waits its conversion time and masks the undefined bits", async () => {
    const { model, sensor } = chipOnBus(21.3);
    const ds = new DS18B20({ sensor });
    const expected: [9 | 10 | 11 | 12, number, number][] = [[9, 0x1f, 21.5], [10, 0x3f, 21.25], [11, 0x5f, 21.25], [12, 0x7f, 21.3125]];
    for (const [bits, config, celsius] of expected) {
      ds.configure({ resolution: bits });
      assert.equal(model.scratchpad()[4], config);
      assert.equal(ds.resolution, bits);
      const started = Date.now();
      const count = bits === 9 ? 3 : 1; // several at 9 bits: the model's junk in bits 2..0 changes each time
      for (let i = 0; i < count; i++) assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: celsius }]);
      const perSample = (Date.now() - started) / count;
      const table2 = { 9: 93.75, 10: 187.5, 11: 375, 12: 750 }[bits];
      assert.ok(perSample >= table2 && perSample < table2 + 60, `${bits} bits: ${perSample} ms a sample`);
    }
    ds.close();
  });

  it("writes TH and TL as two's complement bytes, copies them to EEPROM and recalls them", () => {
    const { model, sensor } = chipOnBus();
    const ds = new DS18B20({ sensor });
    ds.configure({ alarmHigh: 30, alarmLow: -10 });
    assert.equal(hexOf(model.scratchpad().subarray(2, 5)), "1ef67f");
    assert.equal(hexOf(model.eeprom()), "4b467f");
    ds.configure({ resolution: 10, persist: true });
    assert.equal(hexOf(model.eeprom()), "1ef63f");
    ds.configure({ alarmHigh: 125 });
    ds.configure({ restore: true });
    assert.equal(hexOf(model.scratchpad().subarray(2, 5)), "1ef63f");
    assert.equal(ds.resolution, 10);
    ds.close();
  });

  it("refuses bad configuration values, naming the field, before writing anything", () => {
    const { model, sensor } = chipOnBus();
    const ds = new DS18B20({ sensor });
    assert.throws(() => ds.configure({ resolution: 8 as 9 }), /resolution must be 9, 10, 11 or 12/);
    assert.throws(() => ds.configure({ resolution: 12, alarmHigh: 126 }), /alarmHigh must be a whole number/);
    assert.throws(() => ds.configure({ alarmLow: 1.5 }), /alarmLow/);
    assert.throws(() => ds.configure({ persist: "yes" as unknown as boolean }), TypeError);
    assert.equal(model.scratchpad()[4], 0x7f);
    ds.close();
  });
});

describe("DS18B20 driver: sampling", () => {
  it("sample() without a callback throws a TypeError saying to pass one", () => {
    const { sensor } = chipOnBus();
    const ds = new DS18B20({ sensor });
    assert.throws(() => (ds.sample as unknown as () => void)(), (error: unknown) => error instanceof TypeError && /pass a callback/.test(error.message));
    ds.close();
  });

  it("calls back on a later turn, after the conversion, without blocking the event loop", async () => {
    const { sensor } = chipOnBus(23.25);
    const ds = new DS18B20({ sensor });
    const events: string[] = [];
    const tick = new Promise<void>((resolve) => setTimeout(() => { events.push("timer"); resolve(); }, 20));
    const started = Date.now();
    const done = new Promise<void>((resolve) => ds.sample((error, sample) => {
      events.push(`sample ${error?.message ?? sample?.temperature} after ${Date.now() - started} ms`);
      resolve();
    }));
    events.push("returned");
    await Promise.all([tick, done]);
    assert.equal(events[0], "returned");
    assert.equal(events[1], "timer");
    assert.match(events[2], /^sample 23.25 after (7[5-9]\d|8\d\d) ms$/);
    ds.close();
  });

  it("samples asked for during a conversion share it", async () => {
    const { sensor, state } = chipOnBus(18);
    const ds = new DS18B20({ sensor });
    ds.configure({ resolution: 9 });
    const first = sampleOnce(ds);
    state.temperature = 40; // measured at Convert T time, so the second caller gets 18 too
    const second = sampleOnce(ds);
    assert.deepEqual(await Promise.all([first, second]), [[undefined, { temperature: 18 }], [undefined, { temperature: 18 }]]);
    assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: 40 }]);
    ds.close();
  });

  it("works on esp32's byte-reversed ROM codes, with or without a rom option in either order", async () => {
    const { pin, model } = chipOnBus(-3.5);
    chipOnBus(60, { pin }); // a second DS18B20 on the same wire
    const busOrder = hexOf(model.rom);
    for (const rom of [undefined, busOrder, hexOf(model.rom.slice().reverse()), model.rom.slice().reverse().buffer]) {
      const ds = new DS18B20({ sensor: { io: ReversedOneWire, pin, rom } });
      assert.equal(ds.rom, busOrder);
      ds.configure({ resolution: 9 });
      assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: -3.5 }]);
      ds.close();
    }
    assert.deepEqual(findDS18B20(new ReversedOneWire({ pin }))[0], busOrder);
  });

  it("close() is safe twice, drops a conversion under way and makes sample throw", async () => {
    const { sensor } = chipOnBus();
    const ds = new DS18B20({ sensor });
    ds.configure({ resolution: 9 });
    let called = false;
    ds.sample(() => { called = true; });
    ds.close();
    ds.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(called, false);
    assert.throws(() => ds.sample(() => undefined), /closed/);
  });
});

describe("DS18B20 driver: faults", () => {
  it("refuses bad options, naming them", () => {
    const { sensor } = chipOnBus();
    assert.throws(() => new DS18B20({} as never), /options.sensor must be a 1-Wire bus/);
    assert.throws(() => new DS18B20({ sensor: { ...sensor, pin: -1 } }), /options.sensor.pin must be a GPIO number/);
    assert.throws(() => new DS18B20({ sensor: { ...sensor, rom: "28-13-9b" } }), /rom must be 16 hex digits/);
    assert.throws(() => new DS18B20({ sensor: { ...sensor, rom: "021cb801000000a2" } }), /not a DS18B20 ROM code/);
    assert.throws(() => new DS18B20({ sensor: { ...sensor, rom: new ArrayBuffer(7) } }), /8 bytes/);
    assert.throws(() => new DS18B20({ sensor, onError: 5 as never }), /onError must be a function/);
  });

  it("reports an empty bus, or a ROM not on it, as absent at construction and closes the bus", () => {
    const pin = freshPin();
    let closed = 0;
    class Counting extends SimulatedOneWire {
      override close(): void { closed++; super.close(); }
    }
    assert.throws(() => new DS18B20({ sensor: { io: Counting, pin } }), (error: unknown) => error instanceof SensorError && error.reason === "absent" && /pin 6\d/.test(error.message));
    chipOnBus(20, { pin });
    assert.throws(() => new DS18B20({ sensor: { io: Counting, pin, rom: "28139bbb0b00001f" } }), (error: unknown) => error instanceof SensorError && error.reason === "absent" && /28139bbb0b00001f/.test(error.message));
    assert.equal(closed, 2);
  });

  it("reports a search hit of family 28h with a bad ROM CRC as a CRC fault", () => {
    const pin = freshPin();
    const bad: OneWireDevice = { rom: bytes("28139bbb0b000020"), reset() {}, write() {}, read: () => 0xff };
    oneWireBus(pin).attach(bad);
    assert.throws(() => new DS18B20({ sensor: { io: SimulatedOneWire, pin } }), (error: unknown) => error instanceof SensorError && error.reason === "crc");
  });

  it("reports a chip that leaves the bus as absent, and recovers", async () => {
    const { model, sensor } = chipOnBus(12.5);
    const ds = new DS18B20({ sensor });
    ds.configure({ resolution: 9 });
    model.faults = { absent: true };
    const [error, sample] = await sampleOnce(ds);
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "absent");
    model.faults = {};
    assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: 12.5 }]);
    ds.close();
  });

  it("reports a chip gone from a bus that has others as absent (reads float high)", async () => {
    const { model, sensor, pin } = chipOnBus(12.5);
    chipOnBus(30, { pin });
    const ds = new DS18B20({ sensor: { ...sensor, rom: hexOf(model.rom) } });
    ds.configure({ resolution: 9 });
    model.faults = { absent: true };
    assert.equal((await sampleOnce(ds))[0]?.reason, "absent");
    model.faults = {};
    assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: 12.5 }]);
    ds.close();
  });

  it("reports a wrong scratchpad CRC as a CRC fault, and recovers", async () => {
    const { model, sensor } = chipOnBus(-20);
    const ds = new DS18B20({ sensor });
    ds.configure({ resolution: 9 });
    model.faults = { corruptCrc: true };
    const [error, sample] = await sampleOnce(ds);
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "crc");
    model.faults = {};
    assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: -20 }]);
    ds.close();
  });

  it("reports a conversion that never ends as busy, on external and on parasite power, and recovers", async () => {
    for (const parasite of [false, true]) {
      const { model, sensor } = chipOnBus(5, { parasite });
      const ds = new DS18B20({ sensor });
      assert.equal(ds.parasitePower, parasite);
      ds.configure({ resolution: 9 });
      model.faults = { busy: true };
      const [error, sample] = await sampleOnce(ds);
      assert.equal(sample, undefined);
      assert.equal(error?.reason, "busy", error?.message);
      assert.match(error!.message, parasite ? /all 0s/ : /not done after its maximum time of 93.75 ms/);
      model.faults = {};
      assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: 5 }]);
      ds.close();
    }
  });

  it("never reports the 85 degC power-on value when power was lost during the conversion", async () => {
    const { model, sensor } = chipOnBus(22);
    const ds = new DS18B20({ sensor });
    ds.configure({ resolution: 9 });
    const pending = sampleOnce(ds);
    model.powerCycle(); // brown-out: the scratchpad is back to 0550h, byte 6 = 0Ch; EEPROM gives 12 bits
    const [error, sample] = await pending;
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "busy");
    assert.match(error!.message, /power-up state/);
    assert.equal(ds.resolution, 12);
    assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: 22 }]);
    ds.close();
  });

  it("reports a value outside -55..+125 degC as a range fault, and recovers", async () => {
    const { model, sensor } = chipOnBus(100);
    const ds = new DS18B20({ sensor });
    ds.configure({ resolution: 9 });
    model.faults = { outOfRange: true };
    const [error, sample] = await sampleOnce(ds);
    assert.equal(sample, undefined);
    assert.equal(error?.reason, "range");
    assert.match(error!.message, /7ff.*failed conversion/);
    model.faults = {};
    assert.deepEqual(await sampleOnce(ds), [undefined, { temperature: 100 }]);
    ds.close();
  });
});

describe("DS18B20 probe", () => {
  it("finds a DS18B20 by family code, ROM CRC and scratchpad, and nothing on an empty bus", () => {
    const { pin, model } = chipOnBus();
    assert.equal(probeDS18B20(new SimulatedOneWire({ pin })), true);
    assert.equal(probeDS18B20(new ReversedOneWire({ pin })), true);
    assert.deepEqual(findDS18B20(new SimulatedOneWire({ pin })), [hexOf(model.rom)]);
    model.faults = { corruptCrc: true };
    assert.equal(probeDS18B20(new SimulatedOneWire({ pin })), false);
    assert.equal(probeDS18B20(new SimulatedOneWire({ pin: freshPin() })), false);
  });
});
