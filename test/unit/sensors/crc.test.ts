/*
 * The drivers' CRC-8s and the simulated chips' CRC-8s, each against the
 * datasheets' examples and against each other on random data.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc8Maxim, crc8Sensirion } from "../../../sim/devices/chip";
import { maximCRC, sensirionCRC } from "../../../src/sensors/crc";

describe("CRC-8", () => {
  it("Sensirion: CRC(0xBEEF) = 0x92 (SHT3x-DIS 4.12, SHT4x 4.4)", () => {
    assert.equal(sensirionCRC(Uint8Array.of(0xbe, 0xef), 0), 0x92);
    assert.equal(crc8Sensirion(Uint8Array.of(0xbe, 0xef)), 0x92);
  });

  it("Maxim: a ROM code's CRC covers the first seven bytes; over all eight it is 0 (AN27)", () => {
    // ROM code from Maxim application note 27's worked example: family 0x02, serial 0x1C B8 01 00 00 00, CRC 0xA2.
    const rom = Uint8Array.of(0x02, 0x1c, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xa2);
    assert.equal(maximCRC(rom, 0, 7), 0xa2);
    assert.equal(maximCRC(rom, 0, 8), 0);
    assert.equal(crc8Maxim(rom, 0, 7), 0xa2);
  });

  it("the two implementations agree on random data", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let run = 0; run < 2000; run++) {
      const bytes = Uint8Array.from({ length: 1 + (run % 9) }, next);
      assert.equal(sensirionCRC(bytes, 0, bytes.length), crc8Sensirion(bytes));
      assert.equal(maximCRC(bytes, 0, bytes.length), crc8Maxim(bytes));
    }
  });
});
