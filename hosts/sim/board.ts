/*
 * The simulators' board (module "host/board"): the simulated buses of
 * sim/devices, on an ESP32 DevKit's usual pins.
 */

import type { Board } from "app/board";
import { SimulatedAnalog } from "sim/devices/analog";
import { BOARD_ANALOG_PIN, BOARD_ONEWIRE_PIN } from "sim/devices/board";
import { SimulatedDigital } from "sim/devices/digital";
import { SimulatedOneWire } from "sim/devices/onewire";
import "./provider";

const board: Board = Object.freeze({
  name: "simulator",
  i2c: device.I2C?.default,
  oneWire: { io: SimulatedOneWire, pin: BOARD_ONEWIRE_PIN },
  analog: { io: SimulatedAnalog, pin: BOARD_ANALOG_PIN, resolution: 12 },
  // The DevKit's blue LED on GPIO 2.
  led: { io: SimulatedDigital as unknown as NonNullable<Board["led"]>["io"], pin: 2 },
});

export default board;
