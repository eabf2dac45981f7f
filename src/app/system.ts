/*
 * What the firmware needs of the device beyond sensors and sockets, from its
 * host (hosts/<target>/system.ts, module "host/system"): identity, memory,
 * Wi-Fi, the wall clock, restarting. The simulators answer from the
 * simulated device; the boards from Moddable's modules.
 */

export interface NetworkEvents {
  log(line: string): void;
  /** The network is up (boards: Wi-Fi associated and an address obtained). */
  onUp(): void;
  /** The network went down; the host is already trying again. */
  onDown(reason: string): void;
}

export interface HostSystem {
  /** Board or host name, for logs and diagnostics. */
  readonly name: string;
  /** The Wi-Fi MAC address as 12 lower-case hex digits, or undefined where there is none (the simulators). */
  macAddress(): string | undefined;
  /** Free bytes of the JavaScript heap, or undefined where the host cannot tell. */
  freeHeap(): number | undefined;
  /** Wi-Fi signal strength in dBm, or undefined (simulators, not connected). */
  rssi(): number | undefined;
  /** Whether the wall clock (Date.now()) is real time: SNTP has answered on a board; always in the simulators. */
  clockSynced(): boolean;
  /** Restarts the device; the simulators restart the firmware process. Does not return on a board. */
  restart(): void;
  /** Brings the network up and keeps it up: retries with backoff, reconnects on loss. Credentials come from build-time config and are never logged. */
  startNetwork(events: NetworkEvents): void;
}
