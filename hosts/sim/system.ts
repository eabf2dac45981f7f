/*
 * The simulators' system (module "host/system"): the network is the host
 * machine's and always up, the clock is the host's (real time, unless a test
 * says it is not set: sim/devices/control.ts), and a
 * restart asks the simulator host to start the firmware afresh on the same
 * storage (the hosts install `System.restart`, as Moddable's `system` module
 * does on boards).
 */

import type { HostSystem } from "app/system";
import { simulatedBoard } from "sim/devices/board";

const system: HostSystem = Object.freeze({
  name: "simulator",
  macAddress: () => undefined,
  freeHeap: () => undefined,
  rssi: () => undefined,
  // Real time unless a test says the clock is not set yet (control message {type: "clock"}).
  clockSynced: () => simulatedBoard().clock.synced,
  restart: () => System.restart(),
  startNetwork: (events) => events.onUp(),
});

export default system;
