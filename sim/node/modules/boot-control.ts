/*
 * `boot-control` for the Node host: what the project's ESP32 native module
 * (hosts/esp32/boot-control) does with ESP-IDF's app rollback, over the
 * simulated flash (sim/flash.ts).
 */

import { SLOT_SIZE } from "../../flash";
import { deviceFlash } from "../storage";

export default Object.freeze({
  get state(): "factory" | "valid" | "pending" {
    return deviceFlash().state();
  },
  slotSize: SLOT_SIZE,
  markValid(): void {
    deviceFlash().markValid();
  },
  retry(): void {
    deviceFlash().retry();
  },
  rollback(): void {
    deviceFlash().rollback();
    (globalThis as unknown as { System: { restart(): void } }).System.restart();
  },
});
