/*
 * What a test (or `npm start`) can do to the simulated board while the
 * firmware runs, through the host's control channel (the Node host's IPC
 * messages, the XS host's control events):
 *
 *   {type: "environment", quantity: "temperature" | "humidity" | "pressure", value: number | null}
 *   {type: "temperature", value: number | null}            (shorthand)
 *   {type: "fault", sensor: "<name>", faults: {absent?, busy?, corruptCrc?, outOfRange?, busErrorAfter?}}
 *   {type: "clock", synced: boolean}                        the wall clock set (SNTP answered) or not
 *
 * null puts a quantity back on the scenario; `faults: {}` clears a chip's faults.
 */

import { simulatedBoard } from "./board";
import type { ChipFaults } from "./chip";
import type { Quantity } from "./environment";

export interface ControlMessage {
  type?: unknown;
  quantity?: unknown;
  value?: unknown;
  sensor?: unknown;
  faults?: unknown;
  synced?: unknown;
}

const QUANTITIES: readonly string[] = ["temperature", "humidity", "pressure"];

/** Applies a control message; returns an error text for a bad one (which changes nothing). */
export function applyControl(message: ControlMessage): string | undefined {
  const board = simulatedBoard();
  const value = message.value === null || message.value === undefined ? undefined : Number(message.value);
  if (value !== undefined && !Number.isFinite(value)) return `value must be a number or null`;
  switch (message.type) {
    case "temperature":
      board.environment.override("temperature", value);
      return undefined;
    case "environment":
      if (typeof message.quantity !== "string" || !QUANTITIES.includes(message.quantity)) return `quantity must be one of ${QUANTITIES.join(", ")}`;
      board.environment.override(message.quantity as Quantity, value);
      return undefined;
    case "fault": {
      const chip = board.chips.get(String(message.sensor));
      if (!chip) return `no simulated sensor named ${JSON.stringify(message.sensor)}; the board has ${[...board.chips.keys()].join(", ")}`;
      chip.faults = { ...(message.faults as ChipFaults) };
      return undefined;
    }
    case "clock":
      if (typeof message.synced !== "boolean") return `synced must be true or false`;
      board.clock.synced = message.synced;
      return undefined;
    default:
      return `unknown control message type ${JSON.stringify(message.type)}`;
  }
}
