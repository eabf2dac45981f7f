/*
 * The update agent (src/ota/agent.ts) on a virtual clock, with the network
 * played by the test (an in-memory ECMA-419 socket serving HTTP), a
 * recording MQTT client, slots and store: the health gate both ways, a
 * rollback learnt at boot, the install path's order (write, hash, complete,
 * remember, announce, restart), and what it refuses or gives up on.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { beforeEach, describe, it } from "node:test";
import type { IncomingMessage } from "../../../src/mqtt/subscriptions";
import type { SocketConstructor } from "../../../src/mqtt/transport";
import { OtaAgent, type OtaAgentOptions, type OtaStatus, type OtaStore } from "../../../src/ota/agent";
import type { FirmwareSlots } from "../../../src/ota/slots";
import { parseVersion } from "../../../src/ota/version";
import { type ManifestFields, signedAnnouncement } from "../../../tools/ota/announcement";
import { generateSigningKey, type SigningKey } from "../../../tools/ota/keys";
import { VirtualTimers } from "../../helpers/virtual-timers";

/** An in-memory ECMA-419 TCP socket the test answers as an HTTP server would. */
class HttpSocket {
  static all: HttpSocket[] = [];
  static get last(): HttpSocket {
    return HttpSocket.all.at(-1)!;
  }
  readonly writes: Uint8Array[] = [];
  #incoming: Uint8Array[] = [];
  #open = false;
  constructor(readonly options: { onReadable(count: number): void; onWritable(count: number): void; onError(error?: Error): void }) {
    HttpSocket.all.push(this);
  }
  read(): ArrayBuffer | undefined {
    if (!this.#incoming.length) return undefined;
    const bytes = new Uint8Array(Buffer.concat(this.#incoming));
    this.#incoming = [];
    return bytes.buffer;
  }
  write(bytes: ArrayBuffer | ArrayBufferView): number {
    if (!this.#open) throw new Error("not ready");
    const view = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    this.writes.push(view.slice());
    return 65536;
  }
  close(): void {}
  accept(): void {
    this.#open = true;
    this.options.onWritable(65536);
  }
  deliver(bytes: Uint8Array): void {
    this.#incoming.push(bytes);
    this.options.onReadable(this.#incoming.reduce((sum, chunk) => sum + chunk.length, 0));
  }
  fail(message: string): void {
    this.options.onError(new Error(message));
  }
  get request(): string {
    return Buffer.concat(this.writes).toString("latin1");
  }
}

const key: SigningKey = generateSigningKey("test");
const image = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
const digest = createHash("sha256").update(image).digest("hex");

class Harness {
  readonly timers = new VirtualTimers();
  readonly published: { topic: string; status: OtaStatus; qos: number }[] = [];
  readonly events: string[] = [];
  readonly store = new Map<string, string>();
  handler: ((message: IncomingMessage) => void) | undefined;
  state: "factory" | "valid" | "pending" = "factory";
  written: number[] = [];
  /** Makes the slot refuse writes (ESP32's esp_ota_write does for a bad first byte) or the completion. */
  refuse: { write?: boolean; complete?: boolean } = {};
  /** Whether the next QoS 1 publish completes (the broker acknowledges it). */
  acknowledge = true;
  agent: OtaAgent;

  constructor(running = "1.0.0", options: Partial<OtaAgentOptions> = {}) {
    HttpSocket.all = [];
    const harness = this;
    const slots: FirmwareSlots = {
      update: {
        open: ({ byteLength }) => {
          harness.events.push(`open ${byteLength}`);
          harness.written = [];
          return {
            write: (bytes) => {
              if (harness.refuse.write) throw new Error("write failed");
              harness.written.push(...bytes);
            },
            complete: () => {
              harness.events.push(`complete (pending ${harness.store.get("pending")})`);
              if (harness.refuse.complete) throw new Error("end failed");
            },
            close: () => { harness.events.push("close"); },
          };
        },
      },
      boot: {
        get state() { return harness.state; },
        slotSize: 100_000,
        markValid: () => {
          harness.events.push("markValid");
          harness.state = "valid";
        },
        // As on the hosts: the image is "new" again, which boot-control reports as valid.
        retry: () => {
          harness.events.push("retry");
          harness.state = "valid";
        },
        rollback: () => { harness.events.push("rollback"); },
      },
    };
    const store: OtaStore = {
      get: (k) => this.store.get(k),
      set: (k, v) => { this.store.set(k, v); },
      delete: (k) => { this.store.delete(k); },
    };
    this.agent = new OtaAgent({
      client: {
        state: "connected",
        subscribe: async (_filter, _options, handler) => { harness.handler = handler; return 1; },
        publish: (topic, payload, publishOptions) => {
          harness.published.push({ topic, status: JSON.parse(payload) as OtaStatus, qos: publishOptions.qos ?? 0 });
          return publishOptions.qos === 1 && !harness.acknowledge ? new Promise(() => undefined) : Promise.resolve();
        },
      },
      slots, store,
      trust: { publicKey: new Uint8Array(Buffer.from(key.publicHex, "hex")), target: "sim", version: { ...parseVersion(running)!, text: running }, counter: 1, slotSize: 100_000 },
      topics: { announce: "home/ota/sim", status: "home/dev/ota" },
      socket: { io: HttpSocket as unknown as SocketConstructor },
      timers: this.timers,
      healthTimeoutMs: 60_000,
      restart: () => { harness.events.push("restart"); },
      log: () => undefined,
      ...options,
    });
  }

  announce(fields: Partial<ManifestFields> = {}): void {
    const payload = signedAnnouncement({ version: "2.0.0", counter: 2, target: "sim", size: image.length, sha256: digest, url: "http://10.0.0.5:8080/sim/2.0.0.bin", ...fields }, key);
    this.handler!({ topic: "home/ota/sim", payload: new Uint8Array(Buffer.from(payload)), qos: 1, retain: true });
  }

  /** Answers the agent's HTTP request with `body` (default: the image). */
  serve(body: Uint8Array = image, length = body.length): void {
    const socket = HttpSocket.last;
    socket.accept();
    socket.deliver(new Uint8Array(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n`)));
    socket.deliver(body);
  }

  states(): string[] {
    return this.published.map((p) => p.status.state + (p.status.reason ? `:${p.status.reason}` : ""));
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

let h: Harness;
beforeEach(() => { h = new Harness(); });

describe("update agent: installing", () => {
  it("writes the image as it arrives, checks its hash, completes the slot, remembers it, says so, then restarts", async () => {
    h.agent.start();
    h.announce();
    assert.deepEqual(h.events, ["open 3000"]);
    h.serve();
    assert.match(HttpSocket.last.request, /^GET \/sim\/2\.0\.0\.bin HTTP\/1\.1\r\nHost: 10\.0\.0\.5:8080\r\n/);
    await h.settle();
    assert.deepEqual(Uint8Array.from(h.written), image);
    assert.deepEqual(h.events, ["open 3000", "complete (pending 2.0.0)", "restart"], "the install is recorded before the boot slot switches");
    assert.equal(h.store.get("pending"), "2.0.0");
    assert.equal(h.store.get("from"), "1.0.0");
    assert.deepEqual(h.states(), ["downloading", "downloading", "installing", "restarting"]);
    assert.equal(h.published.at(-1)!.qos, 1);
  });

  it("restarts anyway when the broker never acknowledges the restarting status", async () => {
    h.acknowledge = false;
    h.agent.start();
    h.announce();
    h.serve();
    await h.settle();
    assert.ok(!h.events.includes("restart"));
    h.timers.advance(3000);
    assert.equal(h.events.at(-1), "restart");
  });

  it("abandons the slot when the image is not what was signed", async () => {
    h.agent.start();
    h.announce();
    const altered = image.slice();
    altered[100] ^= 1;
    h.serve(altered);
    await h.settle();
    assert.deepEqual(h.events, ["open 3000", "close"]);
    assert.deepEqual(h.states().at(-1), "failed:hash-mismatch");
    assert.equal(h.store.get("pending"), undefined);
  });

  it("stops, frees the slot and never fetches that version again when the slot refuses the bytes", async () => {
    h.agent.start();
    h.refuse.write = true;
    h.announce();
    h.serve();
    await h.settle();
    assert.deepEqual(h.events, ["open 3000", "close"]);
    assert.equal(h.states().at(-1), "failed:slot");
    h.refuse.write = false;
    h.announce();
    assert.equal(h.states().at(-1), "refused:failed-before");
    h.announce({ version: "2.0.1", counter: 3 });
    assert.equal(HttpSocket.all.length, 2, "not busy: a newer release is taken");
  });

  it("forgets the attempt when the slot refuses the finished image", async () => {
    h.agent.start();
    h.refuse.complete = true;
    h.announce();
    h.serve();
    await h.settle();
    assert.deepEqual(h.events, ["open 3000", "complete (pending 2.0.0)", "close"]);
    assert.equal(h.store.get("pending"), undefined);
    assert.equal(h.states().at(-1), "failed:image");
  });

  it("ignores announcements while one is in progress, and an emptied retained one", () => {
    h.agent.start();
    h.announce();
    h.announce({ version: "2.0.1", counter: 3 });
    h.handler!({ topic: "home/ota/sim", payload: new Uint8Array(0), qos: 1, retain: true });
    assert.equal(HttpSocket.all.length, 1);
    assert.deepEqual(h.events, ["open 3000"]);
  });

  it("refuses a URL it cannot fetch before opening a connection, and frees the slot", () => {
    h.agent.start();
    h.announce({ url: "https://10.0.0.5/sim/2.0.0.bin" });
    assert.equal(HttpSocket.all.length, 0);
    assert.deepEqual(h.events, ["open 3000", "close"]);
    assert.equal(h.states().at(-1), "failed:url");
  });

  it("gives up on a download that trickles past its deadline, and frees the slot", () => {
    h.agent.start();
    h.announce();
    const socket = HttpSocket.last;
    socket.accept();
    socket.deliver(new Uint8Array(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${image.length}\r\n\r\n`)));
    // A byte a second: never idle for the downloader's 15 s, but far slower than the deadline allows.
    for (let t = 0; t < 61; t++) {
      socket.deliver(image.subarray(t, t + 1));
      h.timers.advance(1000);
    }
    assert.equal(h.states().at(-1), "failed:deadline");
    assert.deepEqual(h.events, ["open 3000", "close"]);
    assert.match(h.agent.status.message!, /did not finish within 61000 ms \(61 of 3000 bytes\)/);
  });

  it("retries a refused connection with growing waits, then gives up", () => {
    h.agent.start();
    h.announce();
    for (let attempt = 1; attempt <= 5; attempt++) {
      assert.equal(HttpSocket.all.length, attempt);
      HttpSocket.last.fail("connection refused");
      h.timers.advance(1000 * 2 ** (attempt - 1));
    }
    assert.equal(HttpSocket.all.length, 5);
    assert.equal(h.states().at(-1), "failed:connect");
    assert.equal(h.events.at(-1), "close");
    // The retained announcement comes back (a resubscribe): not tried again for ten minutes, then it is.
    h.announce();
    assert.equal(HttpSocket.all.length, 5);
    h.timers.advance(10 * 60_000);
    h.announce();
    assert.equal(HttpSocket.all.length, 6);
  });
});

describe("update agent: the health gate", () => {
  it("confirms a pending image once a QoS 1 publish completes after connecting, then looks at the announcement that waited", async () => {
    h.state = "pending";
    h.store.set("pending", "1.0.0");
    h.agent.start();
    h.announce({ version: "1.0.0", counter: 1 });
    assert.equal(HttpSocket.all.length, 0, "no download while on trial");
    h.agent.connected();
    await h.settle();
    assert.deepEqual(h.events, ["markValid"]);
    assert.equal(h.store.get("pending"), undefined);
    assert.deepEqual(h.states().slice(-3), ["pending", "confirmed", "current"], h.states().join(" "));
    h.timers.advance(120_000);
    assert.ok(!h.events.includes("rollback"), "no rollback after confirmation");
  });

  it("rolls back when no publish completes in time, and says why for the old image to report", async () => {
    h.state = "pending";
    h.acknowledge = false;
    h.agent.start();
    h.agent.connected();
    await h.settle();
    h.timers.advance(59_999);
    assert.deepEqual(h.events, []);
    h.timers.advance(1);
    assert.deepEqual(h.events, ["rollback"]);
    assert.match(h.store.get("why")!, /within 60000 ms/);
  });

  it("with three trial boots, keeps the image for the next boot until the last, restarting on a timeout, then rolls back", () => {
    for (let boot = 1; boot <= 3; boot++) {
      const trial = new Harness("2.0.0", { trialBoots: 3 });
      for (const [k, v] of h.store) trial.store.set(k, v);
      trial.state = "pending";
      trial.acknowledge = false;
      trial.agent.start();
      assert.equal(trial.store.get("boots"), String(boot));
      assert.deepEqual(trial.events, boot < 3 ? ["retry"] : [], `boot ${boot}: another trial only before the last`);
      assert.match(trial.agent.status.message!, new RegExp(`boot ${boot} of 3`));
      trial.timers.advance(60_000);
      assert.equal(trial.events.at(-1), boot < 3 ? "restart" : "rollback", `boot ${boot}`);
      h = trial;
    }
    assert.match(h.store.get("why")!, /within 60000 ms of each of 3 boots/);
  });

  it("confirms a healthy image on its first of three trial boots", async () => {
    const trial = new Harness("2.0.0", { trialBoots: 3 });
    trial.state = "pending";
    trial.agent.start();
    assert.deepEqual(trial.events, ["retry"]);
    trial.announce({ version: "2.0.0", counter: 2 });
    assert.equal(HttpSocket.all.length, 0, "still on trial after retry(): announcements wait");
    trial.agent.connected();
    await trial.settle();
    assert.deepEqual(trial.events, ["retry", "markValid"]);
    assert.equal(trial.store.get("boots"), undefined);
    assert.equal(trial.agent.status.state, "current");
  });

  it("confirmation clears the trial count", async () => {
    h.state = "pending";
    h.store.set("boots", "1");
    h.agent.start();
    h.agent.connected();
    await h.settle();
    assert.equal(h.store.get("boots"), undefined);
  });

  it("in the old image after a rollback, reports it and never takes that version again", () => {
    h.store.set("pending", "2.0.0");
    h.store.set("why", "it did not reach the broker");
    h.agent.start();
    assert.equal(h.agent.status.state, "rolled-back");
    assert.equal(h.agent.status.version, "2.0.0");
    assert.match(h.agent.status.message!, /it did not reach the broker/);
    h.announce();
    assert.equal(h.states().at(-1), "refused:failed-before");
    assert.equal(HttpSocket.all.length, 0);
    h.announce({ version: "2.0.1", counter: 3 });
    assert.equal(HttpSocket.all.length, 1, "a newer release is taken");
  });
});
