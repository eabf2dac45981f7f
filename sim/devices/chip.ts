/*
 * What every simulated chip shares: a name, the faults a test can inject,
 * and the clock it converts on.
 *
 * Faults (each chip model honours those that make sense for it):
 * - absent:        does not acknowledge its address (NACK) / is not on the 1-Wire bus;
 * - busErrorAfter: the next transfer breaks after this many bytes (a glitch mid-transfer);
 * - busy:          never finishes a conversion (stuck busy);
 * - corruptCrc:    every CRC byte it sends is wrong;
 * - outOfRange:    reports a raw value its datasheet says it cannot produce.
 */

export interface ChipFaults {
  absent?: boolean;
  busErrorAfter?: number;
  busy?: boolean;
  corruptCrc?: boolean;
  outOfRange?: boolean;
}

export abstract class SimulatedChip {
  /** Faults in force; tests and the hosts' control channel set them. */
  faults: ChipFaults = {};
  /** Milliseconds, for conversion timing. */
  now: () => number = () => Date.now();
  abstract readonly name: string;
}

/** CRC-8 with polynomial 0x31 (x^8 + x^5 + x^4 + 1), initial 0xFF: Sensirion's (SHT3x 4.12, SHT4x 4.4). */
export function crc8Sensirion(bytes: ArrayLike<number>, start = 0, end = bytes.length): number {
  let crc = 0xff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i];
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** CRC-8 of the Dallas/Maxim 1-Wire bus: polynomial x^8 + x^5 + x^4 + 1, reflected (0x8C), initial 0 (DS18B20 datasheet, "CRC Generation"). */
export function crc8Maxim(bytes: ArrayLike<number>, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    let byte = bytes[i];
    for (let bit = 0; bit < 8; bit++) {
      const mix = (crc ^ byte) & 1;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      byte >>= 1;
    }
  }
  return crc;
}
