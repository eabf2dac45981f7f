/*
 * Moddable's `net` module for the simulator hosts, the part the firmware
 * uses (hosts/common/dns.ts): `Net.resolve(name, callback)`, answering as
 * lwIP's DNS client does on boards (modules/network/net/esp/modResolve.c):
 * always later, never inside the call, with the IPv4 address as dotted text,
 * or `undefined` when the name does not resolve. `Net.get` answers
 * undefined for everything: the simulators have no Wi-Fi interface.
 *
 * Names resolve through the simulated network's hosts file first, when the
 * host was given one (`--hosts FILE`, /etc/hosts format, read at every
 * look-up so a test can move a name while the device runs), then through
 * Node's resolver (getaddrinfo: /etc/hosts, DNS), IPv4 only. Names under
 * ".invalid" fail at once without asking anyone (RFC 6761, 6.4).
 */

import { lookup } from "node:dns";
import { readFileSync } from "node:fs";
import { isIPv4Address } from "../../../src/mqtt/resolver";

let hostsFile: string | undefined;

/** The simulated network's hosts file (`--hosts`), or undefined for none. */
export function setHostsFile(path: string | undefined): void {
  hostsFile = path;
}

/** The address the hosts file gives `name`, if any: the first line naming it. */
function fromHostsFile(name: string): string | undefined {
  if (!hostsFile) return undefined;
  let text: string;
  try {
    text = readFileSync(hostsFile, "utf8");
  }
  catch (error) {
    process.stderr.write(`simulator: cannot read the hosts file ${hostsFile}: ${(error as Error).message}\n`);
    return undefined;
  }
  const wanted = name.toLowerCase();
  for (const line of text.split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (address && isIPv4Address(address) && names.some((one) => one.toLowerCase() === wanted)) return address;
  }
  return undefined;
}

type Callback = (name: string, address?: string) => void;

function resolve(name: string, callback: Callback): void {
  if (typeof name !== "string" || typeof callback !== "function") throw new TypeError("Net.resolve(name, callback)");
  const listed = fromHostsFile(name);
  if (listed) return void setImmediate(() => callback(name, listed));
  if (/(^|\.)invalid\.?$/i.test(name)) return void setImmediate(() => callback(name, undefined));
  lookup(name, { family: 4 }, (error, address) => callback(name, error ? undefined : address));
}

const Net = Object.freeze({
  get: (_what: string): undefined => undefined,
  resolve,
});

export default Net;
