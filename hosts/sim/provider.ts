/*
 * The simulator's ECMA-419 host provider: what `device` is on a board, with
 * the board's buses replaced by simulated ones from sim/devices.
 *
 * Used by all three simulators: the Moddable desktop simulator (`mcconfig -m`,
 * which has ECMA-419 sockets but no `device` global and no I2C), the Node
 * host and the XS host. Importing this module installs `globalThis.device`
 * as Moddable's `system` module does on boards. Simulated chips are created
 * on first use, so this module may be preloaded.
 */

import type Device from "embedded:provider/builtin";
import type { I2CConstructor } from "embedded:provider/builtin";
import config from "mc/config";
import { parseSensors } from "app/sensor-config";
import { configureBoard } from "sim/devices/board";
import { SimulatedI2C, SimulatedSMBus } from "sim/devices/i2c";

// The simulated board carries what the firmware's `sensors` setting says is attached. A bad setting
// leaves the default board; the firmware reports the setting itself when it starts.
// With "auto", the simulated board has one of each chip auto can find, for it to find.
const AUTO_BOARD = "mcp9808@0x18,sht4x@0x44,sht3x@0x45,tmp117@0x48,tmp102@0x49,lm75@0x4f,bme280@0x76,ds18b20";
try {
  let setting = parseSensors(config.sensors ?? "tmp102");
  if (setting.auto) setting = parseSensors(AUTO_BOARD);
  if (!setting.auto) configureBoard(setting.sensors.map(({ name, chip, address, rom, pin }) => ({ name, chip, address, rom, pin })));
}
catch {
  // reported by the firmware
}

const I2C: I2CConstructor = SimulatedI2C;
const SMBus: I2CConstructor = SimulatedSMBus;

const provider = {
  io: { I2C, SMBus },
  I2C: {
    // Pins as on an ESP32 DevKit (SDA 21, SCL 22); the simulated bus ignores them.
    default: { io: I2C, data: 21, clock: 22, port: 0, hz: 400_000 },
  },
  pin: { led: 2 },
};

const device: typeof Device = Object.freeze(provider, true);
globalThis.device = device;

export default device;
