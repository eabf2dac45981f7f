/*
 * An independent MQTT client (MQTT.js) that watches what the broker
 * delivers, for end-to-end assertions.
 */

import mqtt, { type MqttClient } from "mqtt";

export interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  at: number;
}

export class Subscriber {
  readonly messages: Received[] = [];
  readonly client: MqttClient;
  #waiters: (() => void)[] = [];

  private constructor(client: MqttClient) {
    this.client = client;
    client.on("message", (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain, at: Date.now() });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async connect(url: string, filter: string, options: { clientId?: string } = {}): Promise<Subscriber> {
    const client = await mqtt.connectAsync(url, { clientId: options.clientId ?? `test-sub-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0 });
    const subscriber = new Subscriber(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return subscriber;
  }

  /** Resolves with the first message (seen already or arriving) that matches; rejects after `timeout` ms. */
  async waitFor(match: (message: Received) => boolean, timeout = 10_000, what = "message"): Promise<Received> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeout} ms waiting for ${what}; got: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
