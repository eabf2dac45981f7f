/*
 * Moddable's `preference` module for the XS host: the Node host's folder
 * store (sim/node/modules/preference.ts) on the other side of the bridge.
 */

import { call } from "../bridge";

type Value = boolean | number | string | ArrayBuffer;

const Preference = {
  set(domain: string, key: string, value: Value): void {
    if (value instanceof ArrayBuffer) call("pref.set", { domain, key, binary: true }, new Uint8Array(value));
    else call("pref.set", { domain, key, value });
  },
  get(domain: string, key: string): Value | undefined {
    const answer = call("pref.get", { domain, key });
    if (answer.header.binary) return answer.payload.slice().buffer;
    return answer.header.value as Value | undefined;
  },
  delete(domain: string, key: string): void {
    call("pref.delete", { domain, key });
  },
  keys(domain: string): string[] {
    return call("pref.keys", { domain }).header.keys as string[];
  },
};

export default Preference;
