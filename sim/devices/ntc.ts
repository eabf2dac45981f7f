/*
 * Model of an NTC thermistor in a voltage divider on an analog pin: the
 * voltage the pin sees at the environment's temperature.
 *
 * Default thermistor: Murata NCP18XH103F03RB (0603, R25 = 10 kOhm, B25/50 =
 * 3380 K), its resistance taken from Murata's table of resistance against
 * temperature ("NTC Thermistors" catalog R44E, "Temperature Characteristics
 * (Center Value)", NCP__XH103, -40 to 125 degC in 5 degC steps). Between rows
 * ln R is interpolated linearly in 1/T (a Beta curve through each pair of
 * rows); beyond the ends the end rows' curve is extended. A Beta curve may be
 * chosen instead.
 *
 * The divider is fed from the converter's reference (ANALOG_REFERENCE_VOLTS,
 * sim/devices/analog.ts): by default the thermistor goes from the pin to
 * ground and the series resistor from the pin to the reference; with
 * `thermistorOnTop` the other way round.
 *
 * Faults: absent (the thermistor is open: the pin sits at the reference, or
 * at ground when the thermistor is on top); outOfRange (the thermistor is
 * shorted: the pin at ground, or at the reference when on top).
 */

import type { AnalogSource } from "./analog";
import { ANALOG_REFERENCE_VOLTS } from "./analog";
import { SimulatedChip } from "./chip";
import type { Environment } from "./environment";

const KELVIN = 273.15;

/**
 * Murata NCP__XH103 (R25 = 10 kOhm, B25/50 = 3380 K): [degC, ohms], catalog
 * R44E, "Temperature Characteristics (Center Value)".
 */
export const NCP18XH103_TABLE: readonly (readonly [number, number])[] = Object.freeze([
  [-40, 195_652], [-35, 148_171], [-30, 113_347], [-25, 87_559], [-20, 68_237], [-15, 53_650], [-10, 42_506], [-5, 33_892],
  [0, 27_219], [5, 22_021], [10, 17_926], [15, 14_674], [20, 12_081], [25, 10_000], [30, 8_315], [35, 6_948],
  [40, 5_834], [45, 4_917], [50, 4_161], [55, 3_535], [60, 3_014], [65, 2_586], [70, 2_228], [75, 1_925],
  [80, 1_669], [85, 1_452], [90, 1_268], [95, 1_110], [100, 974], [105, 858], [110, 758], [115, 672],
  [120, 596], [125, 531],
].map((row) => Object.freeze(row as [number, number])));

/** A thermistor's curve by its Beta model: R = R0 exp(B (1/T - 1/T0)). */
export interface BetaThermistor {
  beta: number;
  nominalResistance: number;
  /** Degrees C (25). */
  nominalTemperature?: number;
}

export interface NTCModelOptions {
  /** The thermistor: Murata's NCP18XH103 table (default) or a Beta curve. */
  thermistor?: "ncp18xh103" | BetaThermistor;
  /** Ohms (10 kOhm). */
  seriesResistance?: number;
  thermistorOnTop?: boolean;
}

/** Resistance of an NCP18XH103 at `celsius` from Murata's table. */
export function ncp18xh103Resistance(celsius: number): number {
  const table = NCP18XH103_TABLE;
  let i = 0;
  while (i < table.length - 2 && celsius > table[i + 1][0]) i++;
  const [t1, r1] = table[i], [t2, r2] = table[i + 1];
  const x1 = 1 / (t1 + KELVIN), x2 = 1 / (t2 + KELVIN), x = 1 / (celsius + KELVIN);
  return Math.exp(Math.log(r1) + (Math.log(r2) - Math.log(r1)) * (x - x1) / (x2 - x1));
}

export class NTCModel extends SimulatedChip implements AnalogSource {
  readonly name = "ntc";
  readonly seriesResistance: number;
  readonly thermistorOnTop: boolean;
  readonly #resistance: (celsius: number) => number;
  readonly #environment: Pick<Environment, "temperature">;

  constructor(environment: Pick<Environment, "temperature">, options: NTCModelOptions = {}) {
    super();
    this.#environment = environment;
    this.seriesResistance = options.seriesResistance ?? 10_000;
    if (!(this.seriesResistance > 0)) throw new RangeError("NTC model: seriesResistance must be positive");
    this.thermistorOnTop = options.thermistorOnTop === true;
    const thermistor = options.thermistor ?? "ncp18xh103";
    if (thermistor === "ncp18xh103") this.#resistance = ncp18xh103Resistance;
    else {
      const { beta, nominalResistance } = thermistor;
      const t0 = (thermistor.nominalTemperature ?? 25) + KELVIN;
      if (!(beta > 0) || !(nominalResistance > 0)) throw new RangeError("NTC model: beta and nominalResistance must be positive");
      this.#resistance = (celsius) => nominalResistance * Math.exp(beta * (1 / (celsius + KELVIN) - 1 / t0));
    }
  }

  /** The thermistor's resistance at the environment's temperature now, ohms. */
  resistance(now = this.now()): number {
    return this.#resistance(this.#environment.temperature(now));
  }

  volts(now: number): number {
    const reference = ANALOG_REFERENCE_VOLTS;
    // Open: the thermistor's branch carries no current; shorted: it is 0 ohms.
    const thermistor = this.faults.absent ? Infinity : this.faults.outOfRange ? 0 : this.resistance(now);
    const series = this.seriesResistance;
    if (this.thermistorOnTop) return thermistor === Infinity ? 0 : reference * series / (thermistor + series);
    return thermistor === Infinity ? reference : reference * thermistor / (thermistor + series);
  }
}
