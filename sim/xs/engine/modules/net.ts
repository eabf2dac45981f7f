/*
 * Moddable's `net` module for the XS host: `Net.resolve` asks the Node
 * host's implementation (sim/node/modules/net.ts) across the bridge and
 * answers in a later delivery, as lwIP does on boards. `Net.get` answers
 * undefined: the simulators have no Wi-Fi interface.
 */

import { call, onEvent } from "../bridge";

type Callback = (name: string, address?: string) => void;

const pending = new Map<number, Callback>();
let nextId = 1;

onEvent("net", (header) => {
  const id = header.id as number;
  const callback = pending.get(id);
  if (!callback) return;
  pending.delete(id);
  callback(header.name as string, header.address as string | undefined);
});

function resolve(name: string, callback: Callback): void {
  if (typeof name !== "string" || typeof callback !== "function") throw new TypeError("Net.resolve(name, callback)");
  const id = nextId++;
  pending.set(id, callback);
  call("net.resolve", { id, name });
}

const Net = Object.freeze({
  get: (_what: string): undefined => undefined,
  resolve,
});

export default Net;
