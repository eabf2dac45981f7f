/*
 * Real MQTT brokers for `npm start` and the tests: aedes (npm, in process)
 * and mosquitto (Debian package, a child process with its own config file).
 * Both listen on 127.0.0.1 on a free port.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aedes } from "aedes";

export interface Broker {
  readonly name: "aedes" | "mosquitto";
  readonly port: number;
  readonly url: string;
  /** The broker's process, when it runs in one (mosquitto): tests kill -9 it. */
  readonly process?: ChildProcess;
  /** Stops the broker (mosquitto: SIGTERM, waits for exit). */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startAedes(port?: number): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server = net.createServer(aedes.handle);
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, "127.0.0.1", resolve);
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    name: "aedes",
    port: actual,
    url: `mqtt://127.0.0.1:${actual}`,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

export function mosquittoPath(): string | undefined {
  for (const candidate of ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"]) {
    if (spawnSync(candidate, ["-h"], { stdio: "ignore" }).error === undefined) return candidate;
  }
  return undefined;
}

export interface MosquittoOptions {
  port?: number;
  /** Keep sessions and retained messages in this folder across restarts. */
  persistence?: string;
  /** Extra lines for mosquitto.conf. */
  extra?: string[];
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Broker> {
  const binary = mosquittoPath();
  if (!binary) throw new Error("mosquitto is not installed (Debian: apt-get install -y mosquitto)");
  const port = options.port ?? await freePort();
  const dir = mkdtempSync(join(tmpdir(), "mosquitto-"));
  const lines = [`listener ${port} 127.0.0.1`, "allow_anonymous true", "log_dest stderr", "log_type error", "log_type warning"];
  if (options.persistence) {
    mkdirSync(options.persistence, { recursive: true });
    // Started as root, mosquitto drops to its own user, which must be able to write its database.
    chmodSync(options.persistence, 0o777);
    lines.push("persistence true", `persistence_location ${options.persistence}/`, "autosave_interval 1");
  }
  lines.push(...(options.extra ?? []));
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(conf, lines.join("\n") + "\n");
  const child = spawn(binary, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (data: Buffer) => { log += data.toString(); });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Ready when it accepts connections.
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited at start: ${log.trim()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) { child.kill("SIGKILL"); throw new Error(`mosquitto did not start on port ${port}: ${log.trim()}`); }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    name: "mosquitto",
    port,
    url: `mqtt://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
