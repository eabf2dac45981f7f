/*
 * ESP32 boards (module "host/board"). The buses come from the Moddable board
 * target's provider (`-p esp32/<board>`: nodemcu, an ESP32 DevKit, has SDA 21,
 * SCL 22, ADC 33) unless config names other pins, for a generic board:
 *
 *   i2c.sda, i2c.scl    I2C data and clock GPIOs
 *   analog.pin          ADC pin for an NTC
 *   onewire.pin         the 1-Wire GPIO (default 4), with the SDK's `onewire` module
 *   led                 the status LED's GPIO (default: the target's `device.pin.led`; nodemcu: 2)
 */

import type { Board } from "app/board";
import type { OneWireConstructor } from "sensors/ds18b20";
import config from "mc/config";
import OneWire from "onewire";

/** A GPIO number from config, or the board's default; a bad value names the key. */
function gpio(key: string, fallback: number | undefined): number | undefined {
  const raw = config[key];
  if (raw === undefined || raw === "") return fallback;
  const pin = Number(raw);
  if (!Number.isInteger(pin) || pin < 0 || pin > 48) throw new RangeError(`config ${key} must be an ESP32 GPIO number (0 to 48), not ${JSON.stringify(raw)}`);
  return pin;
}

const i2c = device.I2C?.default;
const sda = gpio("i2c.sda", i2c?.data as number | undefined), scl = gpio("i2c.scl", i2c?.clock as number | undefined);
if ((sda === undefined) !== (scl === undefined)) throw new RangeError("config i2c.sda and i2c.scl go together: this board target has no default I2C pins");
const analog = device.Analog?.default as Board["analog"];
const analogPin = gpio("analog.pin", analog?.pin);
const ledPin = gpio("led", device.pin.led as number | undefined);

// Frozen all through: the linker keeps a preloaded module's frozen objects in flash, not RAM.
const frozen = <T extends object>(value: T | undefined) => (value ? Object.freeze(value) : undefined);

const board: Board = Object.freeze({
  name: "esp32",
  i2c: frozen(sda !== undefined && scl !== undefined && device.io.I2C ? { ...i2c, io: i2c?.io ?? device.io.I2C, data: sda, clock: scl } : undefined),
  // The SDK's onewire.d.ts says Uint8Array where its implementation gives ArrayBuffers (src/typings/onewire.d.ts).
  oneWire: frozen({ io: OneWire as unknown as OneWireConstructor, pin: gpio("onewire.pin", 4)! }),
  led: frozen(ledPin !== undefined && device.io.Digital ? { io: device.io.Digital, pin: ledPin } : undefined),
  // The typings' Analog class lacks close(); the SDK's has it.
  analog: frozen(analogPin !== undefined && (analog || device.io.Analog) ? { ...analog, io: (analog?.io ?? device.io.Analog) as NonNullable<Board["analog"]>["io"], pin: analogPin } : undefined),
});

export default board;
