/*
 * The simulators' system (module "host/system"): the network is the host
 * machine's and always up, the clock is the host's (real time), and a
 * restart asks the simulator host to start the firmware afresh on the same
 * storage (the hosts install `System.restart`, as Moddable's `system` module
 * does on boards).
 */

import type { HostSystem } from "app/system";

const system: HostSystem = Object.freeze({
  name: "simulator",
  macAddress: () => undefined,
  freeHeap: () => undefined,
  rssi: () => undefined,
  clockSynced: () => true,
  restart: () => System.restart(),
  startNetwork: (events) => events.onUp(),
});

export default system;
