/*
 * The Node side of the XS host's bridge (the XS side is engine/bridge.ts).
 *
 * Owns everything with an event loop (sockets, timers, storage), using the
 * Node host's own module implementations so both hosts behave the same, and
 * delivers their events to the firmware on XS one at a time. An event is a
 * function evaluated when its turn comes, so a socket reports what it holds
 * then, not what it held when the event was queued.
 */

import type { FirmwareConfig } from "../config";
import Net from "../node/modules/net";
import Preference from "../node/modules/preference";
import Update from "../node/modules/update";
import { deviceFlash } from "../node/storage";
import type { StreamSocket } from "../node/modules/stream-socket";
import TCP from "../node/modules/tcp";
import TLS from "../node/modules/tls";
import Time from "../node/modules/time";
import Timer from "../node/modules/timer";
import { timeScale } from "../node/time-scale";
import { bundleFirmware } from "./bundle";
import { type Meter, XSWorker } from "./worker";

type Header = Record<string, unknown>;

function frame(header: Header, payload?: Uint8Array): Uint8Array {
  const head = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(4 + head.length + (payload?.length ?? 0));
  out.writeUInt32BE(head.length, 0);
  head.copy(out, 4);
  if (payload) out.set(payload, 4 + head.length);
  return out;
}

function unframe(message: Uint8Array): { header: Header; payload: Uint8Array } {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const length = bytes.readUInt32BE(0);
  return { header: JSON.parse(bytes.subarray(4, 4 + length).toString()) as Header, payload: bytes.subarray(4 + length) };
}

function failure(error: unknown): Uint8Array {
  const e = error as Error;
  return frame({ error: { name: e?.name ?? "Error", message: e?.message ?? String(error) } });
}

type Event = () => Header | undefined;

/** Undoes the TLS proxy's wire form (engine/modules/tls.ts): {"@bytes": hex} back to bytes. */
function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (typeof value === "object" && value !== null) {
    const bytes = (value as { "@bytes"?: unknown })["@bytes"];
    if (typeof bytes === "string") return new Uint8Array(Buffer.from(bytes, "hex"));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromWire(item)]));
  }
  return value;
}

/** The socket class and options "tcp.open" asks for: TCP, or TLS when the TLS proxy opened it. */
function socketClass(settings: Header): { Socket: typeof TCP | typeof TLS; options: Header } {
  const { "@socket": kind, "@tcp": tcp, ...options } = settings;
  if (kind !== "tls") return { Socket: TCP, options };
  return { Socket: TLS, options: { ...options, TCP: tcp ? { io: TCP } : undefined, secure: fromWire(options.secure) } };
}

export interface XSHostOptions {
  config: FirmwareConfig;
  /** Receives the firmware's trace output. */
  trace(text: string): void;
  /** The firmware crashed (uncaught exception) or the worker died. */
  onCrash(error: Error): void;
  /** The firmware called System.restart(). */
  onRestart?(): void;
  stdio?: "inherit" | "ignore" | "pipe";
  /** Start-up module to run instead of sim/xs/engine/entry.ts (for probes). */
  entry?: string;
  /** An update image from a flash slot to run instead of the working tree's firmware (sim/image.ts). */
  image?: string;
}

export class XSHost {
  readonly worker: XSWorker;
  readonly #options: XSHostOptions;
  /** TCP and TLS sockets, by id: both kinds take the same reads, writes and events. */
  readonly #sockets = new Map<number, StreamSocket>();
  /** Bytes each socket holds that the firmware has not read. */
  readonly #unread = new Map<number, number>();
  /** Latest writable count of each socket whose writable event is queued. */
  readonly #writable = new Map<number, number>();
  readonly #timers = new Map<number, ReturnType<typeof Timer.set>>();
  /** The firmware's open update slot writer, if any. */
  #update: ReturnType<typeof Update.open> | undefined;
  #nextSocket = 1;
  #events: Event[] = [];
  #delivering = false;
  /** The firmware's modules have run. */
  #running = false;
  #stopped = false;
  /** Meter figures of the latest delivery. */
  meter: Meter | undefined;

  constructor(options: XSHostOptions) {
    this.#options = options;
    this.worker = new XSWorker({ onQuery: (message) => this.#query(message), stdio: options.stdio });
    void this.worker.exited.then((code) => {
      if (!this.#stopped) this.#crash(new Error(`XS worker exited unexpectedly (code ${code})`));
    });
  }

  /** Bundles the firmware and runs it. */
  async start(): Promise<void> {
    const path = await bundleFirmware(this.#options.config, this.#options.entry, this.#options.image);
    try {
      this.meter = (await this.worker.runModule(path)).meter;
    }
    catch (error) {
      this.#crash(error as Error);
      return;
    }
    this.#running = true;
    void this.#drain();
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) Timer.clear(timer);
    for (const socket of this.#sockets.values()) socket.close();
    this.worker.kill();
  }

  /** Queues an event for the firmware (e.g. from a test's control message). */
  post(event: Event): void {
    this.#events.push(event);
    // Events wait until the firmware's modules have run and installed their handlers.
    if (this.#running && !this.#delivering) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#delivering = true;
    while (this.#events.length && !this.#stopped) {
      const header = this.#events.shift()!();
      if (!header) continue;
      try {
        this.meter = (await this.worker.command(frame(header))).meter;
      }
      catch (error) {
        this.#crash(error as Error);
        break;
      }
    }
    this.#delivering = false;
  }

  #crash(error: Error): void {
    if (this.#stopped) return;
    this.stop();
    this.#options.onCrash(error);
  }

  #query(message: Uint8Array): Uint8Array {
    const { header, payload } = unframe(message);
    try {
      return this.#answer(header, payload);
    }
    catch (error) {
      return failure(error);
    }
  }

  #socket(header: Header): StreamSocket {
    const socket = this.#sockets.get(header.id as number);
    if (!socket) throw new Error("socket is closed");
    return socket;
  }

  #answer(header: Header, payload: Uint8Array): Uint8Array {
    switch (header.op) {
      case "trace":
        this.#options.trace(header.text as string);
        return frame({});

      case "timer.set": {
        const id = header.id as number;
        const existing = this.#timers.get(id);
        if (existing) Timer.clear(existing);
        const repeat = header.repeat as number;
        this.#timers.set(id, Timer.set(() => {
          if (!repeat) this.#timers.delete(id);
          this.post(() => ({ event: "timer", id }));
        }, header.interval as number, repeat));
        return frame({});
      }
      case "timer.clear":
        Timer.clear(this.#timers.get(header.id as number));
        this.#timers.delete(header.id as number);
        return frame({});
      case "timer.delay":
        Timer.delay(header.ms as number);
        return frame({});
      case "time.set":
        Time.set(header.seconds as number);
        return frame({});
      case "time.scale":
        return frame({ scale: timeScale() });
      case "system.restart":
        // After this delivery: the firmware is mid-call now.
        setImmediate(() => (this.#options.onRestart ?? (() => this.#crash(new Error("the firmware restarted the device"))))());
        return frame({});

      case "net.resolve": {
        const id = header.id as number;
        Net.resolve(header.name as string, (name, address) => this.post(() => ({ event: "net", id, name, address })));
        return frame({});
      }

      case "tcp.open": {
        const id = this.#nextSocket++;
        const { op: _op, ...settings } = header;
        const { Socket, options } = socketClass(settings);
        const socket = new Socket({
          ...options,
          onReadable: (count) => {
            this.#unread.set(id, count);
            this.post(() => {
              const unread = this.#sockets.has(id) ? this.#unread.get(id) ?? 0 : 0;
              return unread > 0 ? { event: "tcp", id, what: "readable", count: unread } : undefined;
            });
          },
          // One writable event per socket in the queue at a time, carrying the latest count,
          // as lwIP's tcpTrigger coalesces triggers into one message (modules/io/socket/lwip/tcp.c).
          onWritable: (count) => {
            const queued = this.#writable.has(id);
            this.#writable.set(id, count);
            if (queued) return;
            this.post(() => {
              const latest = this.#writable.get(id);
              this.#writable.delete(id);
              return this.#sockets.has(id) && latest !== undefined ? { event: "tcp", id, what: "writable", count: latest } : undefined;
            });
          },
          onError: (error) => this.post(() => {
            if (!this.#sockets.delete(id)) return undefined;
            return { event: "tcp", id, what: "error", message: error?.message ?? "socket error" };
          }),
        });
        this.#sockets.set(id, socket);
        return frame({ id });
      }
      case "tcp.read": {
        const id = header.id as number;
        const value = this.#socket(header).read(header.count as number | undefined);
        if (value === undefined) return frame({ none: true });
        const taken = typeof value === "number" ? 1 : value.byteLength;
        this.#unread.set(id, Math.max(0, (this.#unread.get(id) ?? 0) - taken));
        if (typeof value === "number") return frame({ value });
        return frame({}, new Uint8Array(value));
      }
      case "tcp.write":
        return frame({ writable: this.#socket(header).write(payload) });
      case "tcp.close": {
        const socket = this.#sockets.get(header.id as number);
        this.#sockets.delete(header.id as number);
        this.#unread.delete(header.id as number);
        socket?.close();
        return frame({});
      }
      case "tcp.format": {
        const socket = this.#socket(header);
        if (header.format !== undefined) socket.format = header.format as "buffer" | "number";
        return frame({ format: socket.format });
      }
      case "tcp.remote": {
        const socket = this.#socket(header);
        return frame({ address: socket.remoteAddress, port: socket.remotePort });
      }

      case "pref.set":
        Preference.set(header.domain as string, header.key as string,
          header.binary ? new Uint8Array(payload).buffer : header.value as boolean | number | string);
        return frame({});
      case "pref.get": {
        const value = Preference.get(header.domain as string, header.key as string);
        return value instanceof ArrayBuffer ? frame({ binary: true }, new Uint8Array(value)) : frame({ value });
      }
      case "pref.delete":
        Preference.delete(header.domain as string, header.key as string);
        return frame({});
      case "pref.keys":
        return frame({ keys: Preference.keys(header.domain as string) });

      case "update.open":
        this.#update?.close();
        this.#update = Update.open({ partition: { path: header.partition as string }, byteLength: header.byteLength as number | undefined, mode: header.mode as "a" | "w" | undefined });
        return frame({});
      case "update.write":
        if (!this.#update) throw new Error("already complete");
        this.#update.write(payload);
        return frame({});
      case "update.complete": {
        const update = this.#update;
        this.#update = undefined;
        if (!update) throw new Error("already complete");
        update.complete();
        return frame({});
      }
      case "update.close":
        this.#update?.close();
        this.#update = undefined;
        return frame({});
      case "boot.state":
        return frame({ state: deviceFlash().state() });
      case "boot.markValid":
        deviceFlash().markValid();
        return frame({});
      case "boot.retry":
        deviceFlash().retry();
        return frame({});
      case "boot.rollback":
        deviceFlash().rollback();
        return frame({});

      default:
        throw new Error(`XS host: unknown bridge call ${String(header.op)}`);
    }
  }
}
