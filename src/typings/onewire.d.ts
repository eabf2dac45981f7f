/*
 * Moddable's `onewire` module (modules/drivers/onewire/onewire.js), typed as
 * the SDK implements it (esp32/modonewire.c, esp/modonewire.c,
 * sim/modonewire.c), not as the SDK's own onewire.d.ts says: `search()`
 * gives ArrayBuffers, not Uint8Arrays; `read(count)` an ArrayBuffer and
 * `read()` a number; `write` takes one byte; `crc` takes an optional count.
 *
 * ROM codes: on ESP32 (onewire_bus component) `search()` returns each ROM
 * byte-reversed compared to bus order (the CRC first, the family code last:
 * its `swap()`), and `select()`/`isPresent()` expect that same reversed form
 * (`copyFlipped()`). On ESP8266 (`esp`, owb) and in the SDK's simulator the
 * family code comes first, as on the wire. Code that reads the family code
 * must find out which end holds it (src/sensors/ds18b20.ts does).
 */
declare module "onewire" {
  export default class OneWire {
    /** Opens the bus on a GPIO pin; throws "pin missing" without one. */
    constructor(options: { pin: number });
    close(): void;
    /** One byte from eight read time slots. */
    read(): number;
    /** `count` bytes. */
    read(count: number): ArrayBuffer;
    /** One byte (0 to 255; a RangeError otherwise). */
    write(byte: number): void;
    /** Reset pulse, Match ROM [55h] and the 8-byte ROM, in the form `search()` returned it. */
    select(rom: ArrayBuffer): void;
    /** The ROM codes of the devices that answer a Search ROM [F0h]. */
    search(): ArrayBuffer[];
    /** Whether a search finds this ROM code (same form as `search()` returns). */
    isPresent(rom: ArrayBuffer): boolean;
    /** Reset pulse; true when a device answered with a presence pulse (the SDK's simulator returns 1). */
    reset(): boolean;
    /** Dallas/Maxim CRC-8 of the first `count` bytes (all without count). */
    static crc(buffer: ArrayBuffer | ArrayBufferView, count?: number): number;
    static hex(buffer: ArrayBuffer | ArrayBufferView): string;
  }
}
