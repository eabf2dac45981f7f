/*
 * ESP32 boards (module "host/board"): I2C and the analog input from the
 * board's Moddable provider (ESP32 DevKit/nodemcu: SDA 21, SCL 22, ADC 33),
 * and a 1-Wire bus on the pin the `onewire.pin` setting names (default 4),
 * with the SDK's `onewire` module.
 */

import type { Board } from "app/board";
import config from "mc/config";
import OneWire from "onewire";

const pin = Number(config["onewire.pin"] ?? 4);
if (!Number.isInteger(pin) || pin < 0 || pin > 48) throw new RangeError(`config onewire.pin must be a GPIO number, not ${String(config["onewire.pin"])}`);

const board: Board = Object.freeze({
  name: "esp32",
  i2c: device.I2C?.default,
  oneWire: { io: OneWire, pin },
  // The typings' Analog class lacks close(); the SDK's has it.
  analog: device.Analog?.default as Board["analog"],
});

export default board;
