/*
 * `embedded:io/socket/tcp/tls` for the XS host: a proxy for the Node host's
 * TLS class (sim/node/modules/tls.ts) on the other side of the bridge, so
 * both hosts share one implementation of the TLS socket's behaviour and
 * messages.
 *
 * It is the TCP proxy (./tcp.ts) opened differently: the TCP proxy sends
 * every option but the callbacks and `target` to Node with "tcp.open", and
 * reads, writes and events then go through the same socket table there. Two
 * things cannot cross the bridge as JSON, so they are translated here and
 * undone in sim/xs/bridge-host.ts:
 *
 * - `TCP: {io: TCP}` (a class): sent as `"@tcp": true` when it holds a class,
 *   so the Node class checks it as on the Node host;
 * - certificates and keys given as bytes (ArrayBuffer or a view): sent as
 *   `{"@bytes": "<hex>"}`.
 *
 * `"@socket": "tls"` tells the bridge to open a TLS socket.
 */

import TCP from "./tcp";

type TCPOptions = ConstructorParameters<typeof TCP>[0];

export interface TLSOptions extends TCPOptions {
  host?: string;
  TCP?: { io?: unknown };
  secure?: Record<string, unknown>;
}

const HEX = "0123456789abcdef";

function hex(value: ArrayBuffer | ArrayBufferView): string {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  let out = "";
  for (const byte of bytes) out += HEX[byte >> 4] + HEX[byte & 15];
  return out;
}

/** `value` with every byte buffer in it replaced by {"@bytes": hex}. */
function toWire(value: unknown): unknown {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return { "@bytes": hex(value) };
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toWire(item);
    return out;
  }
  return value;
}

export default class TLS extends TCP {
  constructor(options: TLSOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("TLS options must be an object");
    const { TCP: tcp, secure, ...rest } = options;
    const settings: TCPOptions & Record<string, unknown> = {
      ...rest,
      "@socket": "tls",
      "@tcp": typeof tcp?.io === "function",
    };
    if (secure !== undefined) settings.secure = toWire(secure);
    super(settings);
  }
}
