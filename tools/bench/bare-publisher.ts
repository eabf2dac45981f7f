/*
 * A reference for the publish benchmark: the least work a QoS 1 publisher
 * can do on a Node socket, measured in the same rounds as the two clients.
 *
 * Every PUBLISH is encoded before timing; while timed, the bare publisher
 * only counts PUBACKs in what the socket reads (4 bytes each, checked) and
 * writes one ready packet per PUBACK, all of a read's packets in one write,
 * keeping exactly `window` unacknowledged, as the harness does for the two
 * clients. No promises, no session, no encoding, no per-message latency.
 *
 * It is not an upper bound. Each batch costs a write, a read and often a
 * wake-up on both sides, whatever its size; a publisher that answers a read
 * of PUBACKs later finds more of them, writes larger batches and pays those
 * costs less often, so a slower one can go faster. Where ours runs near the
 * bare publisher's rate, there is little left to gain in the client.
 */

import net from "node:net";
import { encode } from "../../src/mqtt/encoder";
import { encodeUTF8 } from "../../src/mqtt/utf8";

export interface BareRun {
  rate: number;
  /** µs of this process's CPU per message. */
  cpu: number;
}

const PUBACK = 0x40;
const CONNACK = 0x20;

export class BarePublisher {
  readonly #socket: net.Socket;
  #onData: ((data: Buffer) => void) | undefined;
  #onFailure: ((error: Error) => void) | undefined;
  #failure: Error | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (data: Buffer) => this.#onData?.(data));
    socket.on("error", (error) => this.#fail(error));
    socket.on("close", () => this.#fail(new Error("the broker closed the bare publisher's connection")));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#onFailure?.(this.#failure);
  }

  static async connect(port: number, clientId: string): Promise<BarePublisher> {
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    const publisher = new BarePublisher(socket);
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`the bare publisher did not connect to 127.0.0.1:${port}`)), 5000);
      socket.once("error", reject);
      publisher.#onData = (data) => {
        clearTimeout(timeout);
        if (data.length === 4 && data[0] === CONNACK && data[3] === 0) resolve();
        else reject(new Error(`the bare publisher expected CONNACK 0, got ${data.toString("hex")}`));
      };
      socket.write(encode({ type: "connect", protocolLevel: 4, clientId, cleanSession: true, keepalive: 60 }));
    });
    return publisher;
  }

  /** The packets for `payloads`, encoded now so that nothing is encoded while timed. */
  static packets(topic: string, payloads: readonly string[]): Buffer[] {
    return payloads.map((payload, i) => {
      const bytes = encode({ type: "publish", topic, payload: encodeUTF8(payload), qos: 1, retain: false, dup: false, packetId: (i % 65535) + 1 });
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
  }

  /** Sends `packets` keeping `window` unacknowledged; resolves when the last PUBACK arrives. */
  run(packets: readonly Buffer[], window: number): Promise<BareRun> {
    const count = packets.length;
    return new Promise<BareRun>((resolve, reject) => {
      let sent = 0;
      let acknowledged = 0;
      let partial = 0; // bytes of a PUBACK split across reads
      const limit = setTimeout(() => finish(new Error(`${count} bare publishes did not complete within 120 s`)), 120_000);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const finish = (error?: Error) => {
        clearTimeout(limit);
        this.#onData = this.#onFailure = undefined;
        if (error) return reject(error);
        const used = process.cpuUsage(cpu);
        resolve({ rate: count / ((performance.now() - started) / 1000), cpu: (used.user + used.system) / count });
      };
      this.#onData = (data) => {
        let acks = 0;
        for (let i = 0; i < data.length; i++) {
          const at = (partial + i) % 4;
          const expected = at === 0 ? PUBACK : at === 1 ? 2 : -1;
          if (expected >= 0 && data[i] !== expected) return finish(new Error(`the bare publisher expected PUBACKs, got ${data.toString("hex")}`));
          if (at === 3) acks++;
        }
        partial = (partial + data.length) % 4;
        acknowledged += acks;
        if (acknowledged === count) return finish();
        const end = Math.min(count, sent + acks);
        if (end > sent) {
          this.#socket.write(end - sent === 1 ? packets[sent] : Buffer.concat(packets.slice(sent, end)));
          sent = end;
        }
      };
      this.#onFailure = finish;
      if (this.#failure) return finish(this.#failure);
      sent = Math.min(window, count);
      this.#socket.write(Buffer.concat(packets.slice(0, sent)));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#socket.end(Buffer.from(encode({ type: "disconnect" })), () => resolve());
    });
  }
}
