/*
 * A fake MQTT broker, for the few tests that need a broker to misbehave on
 * purpose (malformed bytes, withheld acknowledgements, withheld PINGRESP):
 * real brokers cannot be made to. Every other test uses mosquitto or aedes.
 *
 * Each connection's packets are decoded with the project's codec and handed
 * to `script`, which answers with raw bytes or encoded packets.
 */

import net from "node:net";
import { encode } from "../../src/mqtt/encoder";
import type { Packet } from "../../src/mqtt/packets";
import { PacketReader } from "../../src/mqtt/reader";

export interface FakeConnection {
  readonly index: number;
  readonly received: Packet[];
  send(packet: Packet | Uint8Array): void;
  close(): void;
}

export type Script = (packet: Packet, connection: FakeConnection) => void;

export class FakeBroker {
  readonly connections: FakeConnection[] = [];
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  port = 0;

  private constructor(script: Script) {
    this.#server = net.createServer((socket) => {
      this.#sockets.add(socket);
      const reader = new PacketReader();
      const connection: FakeConnection = {
        index: this.connections.length,
        received: [],
        send: (packet) => { if (!socket.destroyed) socket.write(packet instanceof Uint8Array ? packet : encode(packet)); },
        close: () => socket.destroy(),
      };
      this.connections.push(connection);
      socket.on("data", (chunk: Buffer) => {
        try {
          reader.push(new Uint8Array(chunk), (packet) => {
            connection.received.push(packet);
            script(packet, connection);
          });
        }
        catch {
          socket.destroy();
        }
      });
      socket.on("error", () => undefined);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  static async start(script: Script): Promise<FakeBroker> {
    const broker = new FakeBroker(script);
    await new Promise<void>((resolve) => broker.#server.listen(0, "127.0.0.1", resolve));
    broker.port = (broker.#server.address() as net.AddressInfo).port;
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Waits until `count` connections have been made. */
  async waitForConnections(count: number, timeout = 10_000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (this.connections.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.connections.length} of ${count} connections in ${timeout} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Accepts every CONNECT; answers nothing else unless told. */
export function acceptConnect(packet: Packet, connection: FakeConnection): boolean {
  if (packet.type !== "connect") return false;
  connection.send({ type: "connack", sessionPresent: false, returnCode: 0 });
  return true;
}
