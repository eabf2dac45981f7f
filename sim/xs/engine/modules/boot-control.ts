/*
 * `boot-control` for the XS host: the Node host's (sim/node/modules/boot-control.ts)
 * across the bridge.
 */

import { SLOT_SIZE } from "../../../node/modules/flash";
import { call } from "../bridge";

export default Object.freeze({
  get state(): "factory" | "valid" | "pending" {
    return call("boot.state").header.state as "factory" | "valid" | "pending";
  },
  slotSize: SLOT_SIZE,
  markValid(): void {
    call("boot.markValid");
  },
  retry(): void {
    call("boot.retry");
  },
  rollback(): void {
    call("boot.rollback");
    (globalThis as unknown as { System: { restart(): void } }).System.restart();
  },
});
