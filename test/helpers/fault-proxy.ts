/*
 * A TCP proxy between a client and a broker that injects network faults:
 *
 * - cut():        closes both sides at once (a dropped connection);
 * - reset():      destroys both sides with RST;
 * - blackhole():  keeps both connections open but forwards nothing more,
 *                 either way (a half-open link: a dead NAT, a pulled cable);
 * - delay(ms):    holds every chunk for ms before forwarding it;
 * - cutAfter(n):  forwards n more client bytes, then resets (mid-packet);
 * - refuse(true): refuses new connections until refuse(false).
 *
 * Real broker, real sockets: only the network misbehaves.
 */

import net from "node:net";

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export class FaultProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<Pair>();
  #target: { host: string; port: number };
  #delay = 0;
  #blackholed = false;
  #refusing = false;
  #cutAfter: number | undefined;
  /** Connections accepted so far. */
  connections = 0;
  port = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = net.createServer((client) => this.#accept(client));
  }

  static async start(targetPort: number, targetHost = "127.0.0.1"): Promise<FaultProxy> {
    const proxy = new FaultProxy({ host: targetHost, port: targetPort });
    await new Promise<void>((resolve) => proxy.#server.listen(0, "127.0.0.1", resolve));
    proxy.port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Points new connections at another broker port (e.g. after a restart on a new port). */
  retarget(port: number): void {
    this.#target = { ...this.#target, port };
  }

  get open(): number {
    return this.#pairs.size;
  }

  cut(): void {
    for (const pair of this.#pairs) {
      pair.client.end();
      pair.upstream.end();
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
  }

  reset(): void {
    for (const pair of this.#pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.resetAndDestroy();
    }
    this.#pairs.clear();
  }

  blackhole(on = true): void {
    this.#blackholed = on;
  }

  delay(ms: number): void {
    this.#delay = ms;
  }

  cutAfter(bytes: number): void {
    this.#cutAfter = bytes;
  }

  refuse(on: boolean): void {
    this.#refusing = on;
  }

  async stop(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    if (this.#refusing) {
      client.resetAndDestroy();
      return;
    }
    this.connections++;
    const upstream = net.connect(this.#target.port, this.#target.host);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const drop = () => {
      if (!this.#pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => this.#forward(pair, chunk, upstream, true));
    upstream.on("data", (chunk: Buffer) => this.#forward(pair, chunk, client, false));
  }

  #forward(pair: Pair, chunk: Buffer, to: net.Socket, fromClient: boolean): void {
    if (this.#blackholed) return;
    if (fromClient && this.#cutAfter !== undefined) {
      const take = Math.min(this.#cutAfter, chunk.length);
      this.#cutAfter -= take;
      if (take) to.write(chunk.subarray(0, take));
      if (this.#cutAfter === 0) {
        this.#cutAfter = undefined;
        pair.client.resetAndDestroy();
        pair.upstream.resetAndDestroy();
        this.#pairs.delete(pair);
      }
      return;
    }
    if (this.#delay > 0) setTimeout(() => { if (!to.destroyed) to.write(chunk); }, this.#delay);
    else to.write(chunk);
  }
}
