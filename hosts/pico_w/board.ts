/*
 * Raspberry Pi Pico W (module "host/board"): I2C and the analog input from
 * Moddable's board provider (SDA GP2, SCL GP3; ADC on GP26). No 1-Wire: the
 * SDK's `onewire` module does not support the Pico, so a DS18B20 in the
 * sensors setting is refused at start.
 */

import type { Board } from "app/board";

const board: Board = Object.freeze({
  name: "pico_w",
  i2c: device.I2C?.default,
  analog: device.Analog?.default as Board["analog"],
});

export default board;
