/*
 * CRC-8 checks the drivers verify on every word they read.
 *
 * Written apart from the simulated chips' own CRC code (sim/devices/chip.ts):
 * each side is checked against the datasheets' example values
 * (test/unit/sensors/crc.test.ts), so a shared mistake cannot pass.
 */

/**
 * Sensirion: polynomial 0x31 (x^8 + x^5 + x^4 + 1), initialization 0xFF, no
 * reflection, no final XOR (SHT3x-DIS datasheet 4.12, SHT4x datasheet 4.4).
 * Example from the datasheets: CRC(0xBE, 0xEF) = 0x92.
 */
export function sensirionCRC(bytes: Uint8Array, offset: number, length = 2): number {
  let crc = 0xff;
  for (let i = offset; i < offset + length; i++) {
    crc ^= bytes[i];
    for (let bit = 8; bit > 0; bit--) {
      const top = crc & 0x80;
      crc = (crc << 1) & 0xff;
      if (top) crc ^= 0x31;
    }
  }
  return crc;
}

/**
 * Maxim/Dallas 1-Wire: polynomial x^8 + x^5 + x^4 + 1 shifted out least
 * significant bit first (0x8C reflected), initialization 0 (DS18B20 data
 * sheet, "CRC Generation"; Maxim application note 27). The CRC over bytes
 * that end with their own CRC is 0.
 */
export function maximCRC(bytes: Uint8Array, offset: number, length: number): number {
  let crc = 0;
  for (let i = offset; i < offset + length; i++) {
    crc ^= bytes[i];
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8c : crc >>> 1;
  }
  return crc;
}
