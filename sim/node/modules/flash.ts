/*
 * `embedded:storage/flash` for the simulator hosts, as far as updates use it:
 * open({path: "nextota"}) names the update slot for `embedded:update`
 * (sim/flash.ts holds the slots). Other partitions do not exist here.
 * Shared by the XS host's engine, which needs nothing from Node for it.
 */

/** Bytes per update slot: 1 MiB, as ESP-IDF's two-OTA partition table (partitions_two_ota.csv). */
export const SLOT_SIZE = 0x100000;
const BLOCK = 4096;

export interface SimulatedPartition {
  readonly path: "nextota";
  close(): void;
  status(): { size: number; blockLength: number; blocks: number };
}

export default Object.freeze({
  open(options: { path: string; mode?: "r" | "r+" }): SimulatedPartition {
    if (options?.path !== "nextota") throw new Error("can't find partition");
    return Object.freeze({
      path: "nextota" as const,
      close() {},
      status: () => ({ size: SLOT_SIZE, blockLength: BLOCK, blocks: SLOT_SIZE / BLOCK }),
    });
  },
});
