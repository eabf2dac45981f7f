/*
 * `sensors = "auto"`: finds the chips on the board's buses at start. Each
 * usual address is probed with the datasheet signature of each chip that can
 * sit there (an ID register where the chip has one), in an order that keeps
 * look-alikes apart:
 *
 *   0x18-0x1F   MCP9808 (manufacturer and device ID registers)
 *   0x44-0x46   SHT4x (serial number with CRCs) before SHT3x (break, then
 *               serial number with CRCs): an SHT3x probe first can leave an
 *               SHT4x unanswering
 *   0x48-0x4B   TMP117 (device ID) before TMP102 (configuration R1 R0 = 11)
 *               before LM75 (1-byte configuration, plausible limits)
 *   0x4C-0x4F   LM75
 *   0x76-0x77   BME280 (chip ID 0x60; a BMP280 is not taken)
 *   1-Wire      every DS18B20 (family code 28h, valid ROM and scratchpad CRCs)
 *
 * An NTC thermistor cannot be detected (any steady voltage looks alike): list
 * it in the setting. Probes never write configuration; the SHT3x probe sends
 * a break, which only stops periodic mode.
 */

import type { I2CInstance } from "embedded:provider/builtin";
import { probeBME280 } from "../sensors/bme280";
import type { ChipName } from "../sensors/catalog";
import { findDS18B20 } from "../sensors/ds18b20";
import { probeLM75 } from "../sensors/lm75";
import { probeMCP9808 } from "../sensors/mcp9808";
import { probeSHT3x } from "../sensors/sht3x";
import { probeSHT4x } from "../sensors/sht4x";
import { probeTMP102 } from "../sensors/tmp102";
import { probeTMP117 } from "../sensors/tmp117";
import type { Board } from "./board";
import type { SensorSpec } from "./sensor-config";

type Probe = (io: I2CInstance, found: (yes: boolean) => void) => void;

const now = (probe: (io: I2CInstance) => boolean): Probe => (io, found) => found(probe(io));
const later = (probe: (io: I2CInstance, callback: (serial: number | undefined) => void) => void): Probe =>
  (io, found) => probe(io, (serial) => found(serial !== undefined));

type Candidate = readonly [ChipName, Probe];
type Step = readonly [number, readonly Candidate[]];

/** A step of the plan, frozen all through: the linker keeps a preloaded module's frozen objects in flash, not RAM. */
const step = (address: number, candidates: Candidate[]): Step => Object.freeze([address, Object.freeze(candidates.map((c) => Object.freeze(c)))] as const);

/** Chips to try at each address, in order. */
const PLAN: readonly Step[] = Object.freeze([
  ...[0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f].map((address) => step(address, [["mcp9808", now(probeMCP9808)]])),
  ...[0x44, 0x45].map((address) => step(address, [["sht4x", later(probeSHT4x)], ["sht3x", later(probeSHT3x)]])),
  step(0x46, [["sht4x", later(probeSHT4x)]]),
  ...[0x48, 0x49, 0x4a, 0x4b].map((address) => step(address, [["tmp117", now(probeTMP117)], ["tmp102", now(probeTMP102)], ["lm75", now(probeLM75)]])),
  ...[0x4c, 0x4d, 0x4e, 0x4f].map((address) => step(address, [["lm75", now(probeLM75)]])),
  ...[0x76, 0x77].map((address) => step(address, [["bme280", now(probeBME280)]])),
]);

/** Names for what was found: the chip name, with the address or ROM when the chip appears more than once. */
function name(specs: SensorSpec[]): SensorSpec[] {
  const counts = new Map<string, number>();
  for (const spec of specs) counts.set(spec.chip, (counts.get(spec.chip) ?? 0) + 1);
  for (const spec of specs) {
    if ((counts.get(spec.chip) ?? 0) > 1) spec.name = `${spec.chip}-${spec.address !== undefined ? spec.address.toString(16) : spec.rom!.slice(-6)}`;
  }
  return specs;
}

/** Probes the board and calls back once with what answered (maybe nothing). */
export function detectSensors(board: Board, callback: (found: SensorSpec[]) => void): void {
  const found: SensorSpec[] = [];
  const steps: (() => void)[] = [];
  const next = () => {
    const step = steps.shift();
    if (step) step();
    else callback(name(found));
  };

  const i2c = board.i2c;
  if (i2c) {
    for (const [address, candidates] of PLAN) {
      steps.push(() => {
        let io: I2CInstance;
        try {
          io = new i2c.io({ ...i2c, address });
        }
        catch {
          return next();
        }
        const tryChip = (index: number) => {
          if (index >= candidates.length) {
            io.close();
            return next();
          }
          const [chip, probe] = candidates[index];
          probe(io, (yes) => {
            if (!yes) return tryChip(index + 1);
            found.push({ name: chip, chip, address });
            io.close();
            next();
          });
        };
        tryChip(0);
      });
    }
  }

  const oneWire = board.oneWire;
  if (oneWire) {
    steps.push(() => {
      try {
        const bus = new oneWire.io({ pin: oneWire.pin });
        try {
          for (const rom of findDS18B20(bus)) found.push({ name: "ds18b20", chip: "ds18b20", rom });
        }
        finally {
          bus.close();
        }
      }
      catch {
        // no 1-Wire bus to search
      }
      next();
    });
  }
  next();
}
