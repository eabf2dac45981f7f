/*
 * The firmware's MQTT client running in this process on the Node host's
 * ECMA-419 TCP socket and Node's clock, against a real broker.
 */

import TCP from "../../sim/node/modules/tcp";
import { type ClientOptions, type IncomingMessage, MQTTClient } from "../../src/mqtt/client";
import type { SocketConstructor } from "../../src/mqtt/transport";
import { realTimers } from "./real-timers";

export interface LiveClient {
  client: MQTTClient;
  messages: IncomingMessage[];
  errors: Error[];
  connects: number;
  /** Resolves on the next CONNACK accepted from now on. */
  nextConnect(): Promise<{ sessionPresent: boolean }>;
  /** Resolves when `count` messages have arrived, or rejects after `timeout` ms. */
  waitForMessages(count: number, timeout?: number): Promise<void>;
}

export function liveClient(url: string, options: Partial<ClientOptions> = {}): LiveClient {
  const { hostname, port } = new URL(url);
  let waiters: (() => void)[] = [];
  let connectWaiters: ((info: { sessionPresent: boolean }) => void)[] = [];
  const live: LiveClient = {
    client: undefined as unknown as MQTTClient,
    messages: [],
    errors: [],
    connects: 0,
    nextConnect: () => new Promise((resolve) => connectWaiters.push(resolve)),
    async waitForMessages(count, timeout = 10_000) {
      const deadline = Date.now() + timeout;
      while (live.messages.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${live.messages.length} of ${count} messages in ${timeout} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
  };
  live.client = new MQTTClient({
    socket: { io: TCP as unknown as SocketConstructor },
    address: hostname,
    port: Number(port),
    clientId: `live-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    timers: realTimers,
    reconnect: { initialDelay: 100, maxDelay: 1000 },
    ...options,
    onConnect: (info) => {
      live.connects++;
      const wake = connectWaiters;
      connectWaiters = [];
      for (const resolve of wake) resolve(info);
      options.onConnect?.(info);
    },
    onError: (error) => {
      live.errors.push(error);
      options.onError?.(error);
    },
    onMessage: (message) => {
      live.messages.push({ ...message, payload: message.payload.slice() });
      const wake = waiters;
      waiters = [];
      for (const resolve of wake) resolve();
      options.onMessage?.(message);
    },
  });
  return live;
}
