/*
 * The update agent. Listens for signed announcements on the update topic,
 * refuses what it must (src/ota/manifest.ts), downloads an accepted image
 * over HTTP straight into the inactive slot while hashing it, checks the
 * hash, switches the boot slot and restarts. The new image is on trial
 * (boot-control state "pending") until it has connected to the broker and
 * completed a QoS 1 publish (the health gate), within `healthTimeoutMs` of
 * a boot and within `trialBoots` boots: a boot that times out restarts for
 * the next trial, and the last one rolls back. A restart before confirming
 * uses up a trial boot; after the last, the bootloader rolls back by itself
 * (a crash before this agent runs included). Either way the old image says
 * so on the status topic, and never takes that version again.
 *
 * Status: one retained JSON document on `<base>/ota` (docs/ota.md):
 *   {"state": "...", "version": "...", "running": "...", ...}
 */

import type { ResolverOptions } from "mqtt/resolver";
import type { Timers, TimerHandle } from "mqtt/timers";
import type { IncomingMessage } from "mqtt/subscriptions";
import type { SocketOptions } from "mqtt/transport";
import { DownloadError, type DownloadOptions, HttpDownload } from "ota/http-download";
import { type AnnouncementCheck, bytesHex, checkAnnouncement, type Trust, type UpdateManifest } from "ota/manifest";
import { SHA256 } from "ota/sha256";

/** A streaming SHA-256: the device's native one (the SDK's crypt Digest) where it has one. */
export interface ImageHash {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}
import type { FirmwareSlots, SlotWriter } from "ota/slots";

export type OtaState =
  | "idle" | "current" | "refused" | "downloading" | "installing" | "restarting"
  | "pending" | "confirmed" | "failed" | "rolled-back";

export interface OtaStatus {
  state: OtaState;
  /** The running image's version. */
  running: string;
  /** The version the state is about (the update's), when there is one. */
  version?: string;
  bytes?: number;
  size?: number;
  percent?: number;
  reason?: string;
  message?: string;
}

/** What the agent needs of the MQTT client. */
export interface OtaClient {
  readonly state: string;
  subscribe(filter: string, options: { qos?: 0 | 1 | 2 }, handler: (message: IncomingMessage) => void): Promise<unknown>;
  publish(topic: string, payload: string, options: { qos?: 0 | 1 | 2; retain?: boolean }): Promise<void>;
}

/** pending: the version being installed; from: the version it replaces; why: a rollback's reason; failed: a version rolled back; boots: trial boots used. */
export type OtaStoreKey = "pending" | "from" | "why" | "failed" | "boots";

/** Small persistent strings (the device's preference storage, domain "ota"). */
export interface OtaStore {
  get(key: OtaStoreKey): string | undefined;
  set(key: OtaStoreKey, value: string): void;
  delete(key: OtaStoreKey): void;
}

export interface OtaAgentOptions {
  client: OtaClient;
  slots: FirmwareSlots;
  trust: Trust;
  /** Where announcements come (`<topicPrefix>/ota/<target>`) and where the status goes (`<base>/ota`). */
  topics: { announce: string; status: string };
  /** The socket class for HTTP downloads: `{io: TCP}`. */
  socket: SocketOptions;
  /** For https:// images: TLS socket options (see HttpDownload's secureSocket); without them https:// is refused. */
  secureSocket?: SocketOptions;
  /** The DNS resolver for image URLs that name their host (`{io: Resolver}`); without it they are refused. */
  dns?: ResolverOptions;
  timers: Timers;
  store: OtaStore;
  /** A new image must pass the health gate within this time of a boot. */
  healthTimeoutMs: number;
  /** Boots a new image gets to pass the health gate (default 1, as ESP-IDF's bootloader gives). */
  trialBoots?: number;
  /** Download attempts before giving up on an announcement (a dropped link resumes where it stopped). */
  attempts?: number;
  /** A fresh SHA-256 for an image; default: the TypeScript one (src/ota/sha256.ts), ten times slower on XS than native code. */
  newHash?: () => ImageHash;
  /** Restarts the device (into the newly selected image). */
  restart(): void;
  log(line: string): void;
}

const PROGRESS_STEP = 10;
const RESTART_GRACE_MS = 3000;
/** A whole download, retries included, must end within DEADLINE_BASE_MS plus the time at DEADLINE_RATE bytes/s: a server that trickles cannot hold the agent forever. */
const DEADLINE_BASE_MS = 60_000;
const DEADLINE_RATE = 4096;
/** After a failed download, the same release is not tried again for this long (its retained announcement comes back at every resubscribe). */
const RETRY_AFTER_MS = 10 * 60_000;

export class OtaAgent {
  readonly #options: OtaAgentOptions;
  #busy = false;
  /** This image booted on trial (boot-control said "pending" at start); it stays so until confirmed. retry() makes boot-control read "new" (valid), so the state is taken once. */
  #onTrial = false;
  #healthTimer: TimerHandle | undefined;
  #confirming = false;
  #download: HttpDownload | undefined;
  /** The latest announcement that came while this image was on trial: looked at once it is confirmed. */
  #deferred: IncomingMessage | undefined;
  #retryTimer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;
  /** The release whose download failed last, and when it may be tried again. */
  #cooldown: { version: string; until: number } | undefined;
  #status: OtaStatus;

  constructor(options: OtaAgentOptions) {
    this.#options = options;
    this.#status = { state: "idle", running: options.trust.version.text };
  }

  get status(): Readonly<OtaStatus> {
    return this.#status;
  }

  /** At boot: starts the health gate for a new image, or learns that the last update was rolled back. */
  start(): void {
    const { slots, store, trust, log } = this.#options;
    const pending = store.get("pending");
    const running = trust.version.text;
    if (slots.boot.state === "pending") {
      this.#onTrial = true;
      const boot = Number(store.get("boots") ?? "0") + 1;
      const boots = this.#trialBoots;
      store.set("boots", String(boot));
      // Until the last trial boot, an unconfirmed restart comes back to this image rather than the previous one.
      if (boot < boots) {
        try {
          slots.boot.retry();
        }
        catch (error) {
          log(`ota: cannot give ${running} another trial boot (${(error as Error).message}); this boot is its last`);
        }
      }
      this.#status = { state: "pending", running, version: running, message: `on trial, boot ${boot} of ${boots}: confirms itself once it reaches the broker and completes a QoS 1 publish within ${this.#options.healthTimeoutMs} ms` };
      log(`ota: ${running} is on trial, boot ${boot} of ${boots} (health gate: broker and a QoS 1 publish within ${this.#options.healthTimeoutMs} ms)`);
      this.#healthTimer = this.#options.timers.set(() => this.#healthTimeout(boot < boots), this.#options.healthTimeoutMs);
    }
    else if (pending !== undefined && pending !== running) {
      const why = store.get("why") ?? "it restarted before it confirmed itself, so the bootloader went back";
      this.#status = { state: "rolled-back", running, version: pending, reason: "health", message: `${pending} was rolled back: ${why}` };
      log(`ota: ${this.#status.message}`);
      store.set("failed", pending);
      store.delete("pending");
      store.delete("why");
      store.delete("boots");
    }
    else if (pending === running) {
      store.delete("pending");
    }
    this.#options.client.subscribe(this.#options.topics.announce, { qos: 1 }, (message) => this.#announcement(message))
      .catch((error: Error) => log(`ota: cannot subscribe to ${this.#options.topics.announce}: ${error.message}`));
  }

  /** Called after every connect to the broker. */
  connected(): void {
    this.#publishStatus();
    if (!this.#onTrial || this.#confirming || this.#healthTimer === undefined) return;
    // The health gate: this QoS 1 publish completing means the broker took it.
    this.#confirming = true;
    this.#options.client.publish(this.#options.topics.status, JSON.stringify({ ...this.#status, state: "pending", message: "confirming" }), { qos: 1, retain: true })
      .then(() => this.#confirm(), (error: Error) => {
        this.#confirming = false;
        this.#options.log(`ota: health gate publish failed (${error.message}); trying again on the next connect`);
      });
  }

  close(): void {
    this.#options.timers.clear(this.#deadline);
    this.#options.timers.clear(this.#healthTimer);
    this.#options.timers.clear(this.#retryTimer);
    this.#download?.close();
  }

  #confirm(): void {
    const { slots, timers, store, log, trust } = this.#options;
    if (this.#healthTimer === undefined) return;
    try {
      slots.boot.markValid();
    }
    catch (error) {
      // Not confirmed: the health timer stays, and rolls back as for an image that never reached the broker.
      this.#confirming = false;
      log(`ota: cannot confirm ${trust.version.text}: ${(error as Error).message}`);
      this.#setStatus({ ...this.#status, state: "pending", reason: "confirm", message: `cannot confirm: ${(error as Error).message}` });
      return;
    }
    timers.clear(this.#healthTimer);
    this.#healthTimer = undefined;
    this.#onTrial = false;
    store.delete("pending");
    store.delete("from");
    store.delete("boots");
    log(`ota: ${trust.version.text} confirmed: it stays`);
    this.#setStatus({ state: "confirmed", running: trust.version.text, version: trust.version.text });
    const deferred = this.#deferred;
    this.#deferred = undefined;
    if (deferred) this.#announcement(deferred);
  }

  get #trialBoots(): number {
    return this.#options.trialBoots ?? 1;
  }

  #healthTimeout(again: boolean): void {
    const { store, slots, log, healthTimeoutMs } = this.#options;
    this.#healthTimer = undefined;
    if (again) {
      log(`ota: no broker and QoS 1 publish within ${healthTimeoutMs} ms; restarting for the next trial boot`);
      this.#options.restart();
      return;
    }
    const why = `it did not reach the broker and complete a QoS 1 publish within ${healthTimeoutMs} ms of each of ${this.#trialBoots} boot${this.#trialBoots === 1 ? "" : "s"}`;
    log(`ota: rolling back: ${why}`);
    store.set("why", why);
    try {
      slots.boot.rollback();
    }
    catch (error) {
      log(`ota: cannot roll back: ${(error as Error).message}`);
      this.#setStatus({ ...this.#status, state: "pending", reason: "rollback", message: `rollback failed: ${(error as Error).message}; a restart before confirming makes the bootloader go back` });
    }
  }

  #announcement(message: IncomingMessage): void {
    const { trust, log, store } = this.#options;
    if (this.#busy) {
      log("ota: an update is already in progress; announcement ignored");
      return;
    }
    if (this.#onTrial) {
      log("ota: this image is still on trial; the announcement waits until it is confirmed");
      this.#deferred = message;
      return;
    }
    if (message.payload.length === 0) return; // a cleared retained announcement
    const check: AnnouncementCheck = checkAnnouncement(message.payload, trust);
    if (check.kind === "refused") {
      log(`ota: update refused (${check.reason}): ${check.message}`);
      this.#setStatus({ state: "refused", running: trust.version.text, version: check.version, reason: check.reason, message: check.message });
      return;
    }
    if (check.kind === "current") {
      this.#setStatus({ state: "current", running: trust.version.text, version: check.manifest.version });
      return;
    }
    const cooldown = this.#cooldown;
    if (cooldown && cooldown.version === check.manifest.version && this.#options.timers.now() < cooldown.until) {
      log(`ota: ${cooldown.version} failed a moment ago; trying it again in ${Math.ceil((cooldown.until - this.#options.timers.now()) / 1000)} s`);
      return;
    }
    if (store.get("failed") === check.manifest.version) {
      const text = `${check.manifest.version} failed on this device before (rolled back, or its image was not what was signed); publish a new release`;
      log(`ota: update refused (failed-before): ${text}`);
      this.#setStatus({ state: "refused", running: trust.version.text, version: check.manifest.version, reason: "failed-before", message: text });
      return;
    }
    this.#install(check.manifest);
  }

  #install(manifest: UpdateManifest): void {
    const { slots, log, trust } = this.#options;
    this.#busy = true;
    log(`ota: installing ${manifest.version} (${manifest.size} bytes) from ${manifest.url}`);
    let writer: SlotWriter;
    try {
      writer = slots.update.open({ byteLength: manifest.size });
    }
    catch (error) {
      this.#fail(manifest, "slot-open", `cannot open the update slot: ${(error as Error).message}`);
      return;
    }
    const newHash = this.#options.newHash ?? (() => new SHA256());
    const progress = { hash: newHash(), received: 0, lastStep: -1, attempt: 0 };
    const attempts = this.#options.attempts ?? 5;
    const limit = DEADLINE_BASE_MS + Math.ceil(manifest.size / DEADLINE_RATE) * 1000;
    this.#deadline = this.#options.timers.set(() => {
      this.#deadline = undefined;
      this.#download?.close();
      this.#download = undefined;
      this.#options.timers.clear(this.#retryTimer);
      this.#retryTimer = undefined;
      writer.close();
      this.#fail(manifest, "deadline", `the download did not finish within ${limit} ms (${progress.received} of ${manifest.size} bytes)`);
    }, limit);

    const restartFromScratch = () => {
      writer.close();
      writer = slots.update.open({ byteLength: manifest.size });
      progress.hash = newHash();
      progress.received = 0;
    };

    const report = () => {
      const percent = Math.floor((progress.received * 100) / manifest.size);
      const step = Math.floor(percent / PROGRESS_STEP);
      if (step === progress.lastStep) return;
      progress.lastStep = step;
      this.#setStatus({ state: "downloading", running: trust.version.text, version: manifest.version, bytes: progress.received, size: manifest.size, percent }, 0);
    };

    const attempt = () => {
      progress.attempt++;
      const resumeFrom = progress.received;
      const events: Pick<DownloadOptions, "onStart" | "onData" | "onDone" | "onError"> = {
        onStart: ({ offset }) => {
          if (offset !== resumeFrom) {
            log("ota: the server sent the whole image again; starting over");
            try {
              restartFromScratch();
            }
            catch (error) {
              this.#download?.close();
              this.#download = undefined;
              this.#fail(manifest, "slot-open", `cannot reopen the update slot: ${(error as Error).message}`);
              return;
            }
          }
          else if (resumeFrom > 0) log(`ota: resuming at byte ${resumeFrom}`);
          report();
        },
        onData: (bytes) => {
          try {
            writer.write(bytes);
          }
          catch (error) {
            // The slot refused the bytes (on ESP32, esp_ota_write checks the image's first byte): stop here.
            this.#download?.close();
            this.#download = undefined;
            writer.close();
            this.#fail(manifest, "slot", `the update slot refused the image's bytes at ${progress.received}: ${(error as Error).message}`);
            return;
          }
          progress.hash.update(bytes);
          progress.received += bytes.length;
          report();
        },
        onDone: () => {
          this.#download = undefined;
          this.#options.timers.clear(this.#deadline);
          this.#deadline = undefined;
          this.#finish(manifest, writer, progress.hash.digest());
        },
        onError: (error) => {
          this.#download = undefined;
          // An attempt that moved the download forward does not count against the limit.
          if (progress.received > resumeFrom) progress.attempt = 1;
          const retryable = error.reason === "connect" || error.reason === "timeout" || error.reason === "truncated";
          if (!retryable || progress.attempt >= attempts) {
            writer.close();
            this.#fail(manifest, error.reason, `download failed after ${progress.attempt} attempt${progress.attempt === 1 ? "" : "s"}: ${error.message}`);
            return;
          }
          const wait = 1000 * 2 ** (progress.attempt - 1);
          log(`ota: download interrupted at ${progress.received} of ${manifest.size} bytes (${error.message}); retrying in ${wait} ms`);
          this.#retryTimer = this.#options.timers.set(() => {
            this.#retryTimer = undefined;
            attempt();
          }, wait);
        },
      };
      try {
        this.#download = new HttpDownload({ socket: this.#options.socket, secureSocket: this.#options.secureSocket, dns: this.#options.dns, url: manifest.url, offset: resumeFrom, size: manifest.size, timers: this.#options.timers, ...events });
      }
      catch (error) {
        // A URL this device cannot fetch (https:// without ota.ca, a host name without a resolver): refused before any byte.
        writer.close();
        this.#fail(manifest, error instanceof DownloadError ? error.reason : "url", (error as Error).message);
      }
    };
    attempt();
  }

  #finish(manifest: UpdateManifest, writer: SlotWriter, digest: Uint8Array): void {
    const { trust, store, log } = this.#options;
    const expected = bytesHex(manifest.sha256);
    const got = bytesHex(digest);
    if (got !== expected) {
      writer.close();
      this.#fail(manifest, "hash-mismatch", `the image's SHA-256 is ${got}, the signed manifest says ${expected}: the image was altered; the running firmware stays`);
      return;
    }
    this.#setStatus({ state: "installing", running: trust.version.text, version: manifest.version, bytes: manifest.size, size: manifest.size, percent: 100 });
    // Recorded before the boot slot switches: whatever happens next, the next boot knows what was attempted.
    store.set("pending", manifest.version);
    store.set("from", trust.version.text);
    store.delete("why");
    store.delete("boots");
    try {
      writer.complete();
    }
    catch (error) {
      store.delete("pending");
      store.delete("from");
      writer.close();
      this.#fail(manifest, "image", `the update slot refused the image: ${(error as Error).message}`);
      return;
    }
    log(`ota: ${manifest.version} written and verified; restarting into it`);
    const restart = () => {
      this.#options.timers.clear(grace);
      this.#options.restart();
    };
    const grace = this.#options.timers.set(restart, RESTART_GRACE_MS);
    this.#setStatus({ state: "restarting", running: trust.version.text, version: manifest.version }, 1, restart);
  }

  #fail(manifest: UpdateManifest, reason: string, message: string): void {
    this.#busy = false;
    this.#options.timers.clear(this.#deadline);
    this.#deadline = undefined;
    // An image that is not what was signed, or that the slot refuses, will not get better: never fetch it again.
    if (reason === "hash-mismatch" || reason === "image" || reason === "slot") this.#options.store.set("failed", manifest.version);
    else this.#cooldown = { version: manifest.version, until: this.#options.timers.now() + RETRY_AFTER_MS };
    this.#options.log(`ota: update to ${manifest.version} failed (${reason}): ${message}`);
    this.#setStatus({ state: "failed", running: this.#options.trust.version.text, version: manifest.version, reason, message });
  }

  #setStatus(status: OtaStatus, qos: 0 | 1 = 1, then?: () => void): void {
    this.#status = status;
    this.#publishStatus(qos, then);
  }

  #publishStatus(qos: 0 | 1 = 1, then?: () => void): void {
    const { client, topics, log } = this.#options;
    if (client.state !== "connected" && !then) return;
    client.publish(topics.status, JSON.stringify(this.#status), { qos, retain: true })
      .then(then, (error: Error) => {
        log(`ota: status not published: ${error.message}`);
        then?.();
      });
  }
}
