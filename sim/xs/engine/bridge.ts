/*
 * The XS side of the XS host's bridge to Node (the Node side is
 * sim/xs/bridge-host.ts).
 *
 * XS runs only while Node delivers something to it (an event: a timer fired,
 * socket bytes arrived). During a delivery, `call()` asks Node for something
 * and gets the answer synchronously (xsnap's issueCommand). Frames both ways:
 *
 *   u32 header length (big-endian) | header JSON (UTF-8) | payload bytes
 *
 * On load this module captures the worker's own globals it needs and deletes
 * every global a Moddable device does not have, so firmware that leans on one
 * fails here as it would on a board.
 */

const issue = issueCommand;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const workerNow: () => number = performance.now.bind(performance);

const NOT_ON_DEVICES = [
  "issueCommand", "print", "gc", "performance", "currentMeterLimit", "resetMeter", "setImmediate",
  "TextEncoder", "TextDecoder", "Base64", "harden", "global", "trace",
];
for (const name of NOT_ON_DEVICES) delete (globalThis as Record<string, unknown>)[name];

export type Header = Record<string, unknown>;

export function frame(header: Header, payload?: Uint8Array): ArrayBuffer {
  const head = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(4 + head.length + (payload?.length ?? 0));
  new DataView(out.buffer).setUint32(0, head.length);
  out.set(head, 4);
  if (payload) out.set(payload, 4 + head.length);
  return out.buffer;
}

export function unframe(message: ArrayBuffer): { header: Header; payload: Uint8Array } {
  const bytes = new Uint8Array(message);
  const length = new DataView(message).getUint32(0);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as Header;
  return { header, payload: bytes.subarray(4 + length) };
}

/** Asks Node; returns its answer. An answer with `error` becomes a thrown Error of that name and message. */
export function call(op: string, args: Header = {}, payload?: Uint8Array): { header: Header; payload: Uint8Array } {
  const answer = unframe(issue(frame({ op, ...args }, payload)));
  const error = answer.header.error as { name?: string; message: string } | undefined;
  if (error) {
    const Kind = error.name === "RangeError" ? RangeError : error.name === "TypeError" ? TypeError : Error;
    throw new Kind(error.message);
  }
  return answer;
}

type EventHandler = (header: Header, payload: Uint8Array) => void;
const handlers: Record<string, EventHandler> = {};

/** Registers the handler for events of one kind ("timer", "tcp", ...). */
export function onEvent(kind: string, handler: EventHandler): void {
  handlers[kind] = handler;
}

const EMPTY = new ArrayBuffer(0);

(globalThis as { handleCommand?: unknown }).handleCommand = (message: ArrayBuffer): ArrayBuffer => {
  const { header, payload } = unframe(message);
  const handler = handlers[header.event as string];
  if (!handler) throw new Error(`XS host: no handler for event ${String(header.event)}`);
  handler(header, payload);
  return EMPTY;
};

// Simulated time (sim/node/time-scale.ts): the host says how much faster the device's clocks run.
const scale = Number(call("time.scale").header.scale) || 1;
const started = workerNow();
/** Milliseconds of device time, monotonic. */
export const monotonicNow = (): number => (workerNow() - started) * scale;
if (scale !== 1) {
  const realNow = Date.now.bind(Date);
  const start = realNow();
  Date.now = () => start + (realNow() - start) * scale;
}

// Moddable's `system` module gives boards a global System with restart(); the host starts the firmware again.
(globalThis as { System?: unknown }).System = Object.freeze({ restart: () => { call("system.restart"); } });

// Moddable's trace: its arguments as they are, no separator, no newline added.
(globalThis as { trace?: unknown }).trace = (...parts: unknown[]) => {
  call("trace", { text: parts.map(String).join("") });
};
