/*
 * `embedded:update` for the XS host: the Node host's implementation
 * (sim/node/modules/update.ts, over sim/flash.ts) on the other side of the bridge.
 */

import { UpdateWriter } from "../../../update-writer";
import { call } from "../bridge";

export default Object.freeze({
  open(options: { partition: { path?: string }; byteLength?: number; mode?: "a" | "w" }): UpdateWriter {
    call("update.open", { partition: options?.partition?.path, byteLength: options?.byteLength, mode: options?.mode });
    return new UpdateWriter({
      write: (bytes) => { call("update.write", {}, bytes); },
      complete: () => { call("update.complete"); },
      abandon: () => { call("update.close"); },
    });
  },
});
