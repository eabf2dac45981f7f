/*
 * The boards' Wi-Fi station and SNTP clock (module "common/station"), shared
 * by hosts/esp32/system.ts and hosts/pico_w/system.ts. The radio, the SNTP
 * client, the clock, timers and randomness come in the options, so
 * test/unit/station.test.ts drives it all on a virtual clock.
 *
 * Module name: a board's "host/system" imports "../common/station", which XS
 * resolves against the importer's *name* ("host/system" -> "common/station")
 * and tsc against the file (hosts/esp32/../common/station); the host
 * manifests map that name to this file so the two agree.
 *
 * Why not the SDK's own network setup (build/devices/<platform>/setup/network,
 * which the host manifests leave out, "~"): it calls connect() once and holds
 * main back until an address comes and SNTP answers. It never retries: with
 * the access point down or the password refused at boot main never runs, and
 * nothing reconnects after a loss. Instead, from the same `ssid`, `password`
 * and `sntp` config keys (`mcconfig ... ssid=X password=Y`):
 *
 *   - start() joins with the ECMA-419 Wi-Fi interface
 *     (`embedded:network/interface/wifi`, src/typings/board/wifi.d.ts); an
 *     attempt with no address after 30 s is abandoned;
 *   - a failed attempt or a lost connection is retried after a delay whose
 *     ceiling doubles from 2 s to 60 s, random in the ceiling's upper half
 *     (so 1 s to 60 s); a connection that lasted 30 s resets it;
 *   - onUp once there is an address; onDown(reason) when it goes (only after
 *     an onUp); a log line for every step. The password is never logged: no
 *     message quotes it, and a driver error that did is redacted.
 *
 * Clock. After each onUp, the SNTP client asks config `sntp`'s host (the
 * SDK's manifest_net.json default: pool.ntp.org; empty: never). The client
 * does not set the clock: this does (time.set), and clockSynced() turns true.
 * A failure (after the client's own 5 tries, 5 s apart) is retried after a
 * delay from 15 s to 30 min (backoff as above); once synced, the time is read
 * again every 12 hours. clockSynced() is false after every boot until SNTP
 * answers, whatever the date says.
 *
 * The Wi-Fi object is made on first use (start() or macAddress()): making it
 * starts the radio and the TCP/IP stack, so nothing may open a socket before.
 */

import type { HostSystem, NetworkEvents } from "app/system";
import type { TimerHandle, Timers } from "mqtt/timers";
import { utf8Length } from "mqtt/utf8";

/** What the station uses of an ECMA-419 Wi-Fi interface (src/typings/board/wifi.d.ts has the whole story). */
export interface WiFiInterface {
  /** 200 or less disconnected, 300 connecting, 400 associated, 500 with an address. */
  readonly connection: number;
  readonly address: string | undefined;
  readonly MAC?: string | undefined;
  readonly RSSI?: number | undefined;
  /** Throws while an attempt is under way or when the driver refuses. */
  connect(options: { SSID: string; password?: string }): void;
  /** Abandons an attempt or leaves; `connection` is 200 at once. */
  disconnect(): void;
}

/** The interface's class: `onChanged` follows every change of `connection` ("connection") and a new address ("address"). */
export type WiFiClass<W extends WiFiInterface> = new (options: { onChanged: (property: string) => void }) => W;

/** Moddable's `sntp` client class (src/typings/board/sntp.d.ts): starts at once; closes itself before an answer. */
export interface SNTPClass {
  readonly time: number;
  readonly retry: number;
  new (options: { host: string }, callback: (message: number, value?: number | string) => void): { close(): void };
}

export interface StationOptions<W extends WiFiInterface> {
  wifi: {
    io: WiFiClass<W>;
    /** The station MAC, any case, with or without colons; default: the interface's `MAC`. */
    MAC?: (wifi: W) => string | undefined;
    /** Signal strength in dBm while associated; default: the interface's `RSSI`. */
    RSSI?: (wifi: W) => number | undefined;
  };
  sntp: { io: SNTPClass };
  /** The wall clock: `set` takes seconds since 1970 (Moddable's `time`). */
  time: { set(seconds: number): void };
  timers: Timers;
  /** In [0, 1): spreads retries. */
  random: () => number;
  /** `mc/config`: `ssid`, `password` (absent or empty: an open network), `sntp` (absent or empty: no time sync). */
  config: Readonly<Record<string, unknown>>;
}

/** Wi-Fi retries: the delay's ceiling doubles from `first` to `max`; the delay is random in its upper half. */
const WIFI_RETRY = Object.freeze({ first: 2_000, max: 60_000 });
/** An attempt with no address after this is abandoned. */
const ATTEMPT_TIMEOUT = 30_000;
/** A connection that lasted this long resets the Wi-Fi backoff. */
const STABLE_AFTER = 30_000;
/** SNTP retries after a failure. */
const SNTP_RETRY = Object.freeze({ first: 30_000, max: 30 * 60_000 });
/** Once synced, the time is read again this often. */
const SNTP_REFRESH = 12 * 60 * 60_000;
/** An SNTP answer before this (2020-01-01) is a broken server, not the time. */
const EARLIEST_TIME = 1_577_836_800;

/** ECMA-419 Wi-Fi `connection` thresholds. */
const ASSOCIATED = 400, ADDRESSED = 500, DISCONNECTED = 200;

function backoff(attempt: number, { first, max }: { first: number; max: number }, random: () => number): number {
  const ceiling = Math.min(max, first * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** "A4:D1:8C:DB:C0:20" -> "a4d18cdbc020"; anything else -> undefined. */
function normaliseMAC(mac: string | undefined): string | undefined {
  const hex = mac?.replace(/[:-]/g, "").toLowerCase();
  return hex && /^[0-9a-f]{12}$/.test(hex) ? hex : undefined;
}

interface Network {
  readonly ssid: string;
  /** Undefined: an open network. */
  readonly password: string | undefined;
  /** Undefined: no time sync. */
  readonly sntp: string | undefined;
}

/** The network from config; a missing or impossible value throws, naming the key and never quoting the password. */
function checkConfig(config: Readonly<Record<string, unknown>>): Network {
  const { ssid, password = "", sntp = "" } = config;
  if (typeof ssid !== "string" || ssid === "") throw new TypeError("config ssid is not set: build with ssid=<network name> password=<passphrase>");
  if (utf8Length(ssid) > 32) throw new RangeError(`config ssid must be at most 32 bytes, not ${utf8Length(ssid)}`);
  if (typeof password !== "string") throw new TypeError("config password must be a string");
  if (password !== "" && !/^[\x20-\x7e]{8,63}$/.test(password) && !/^[0-9a-fA-F]{64}$/.test(password))
    throw new RangeError("config password must be a WPA2 passphrase (8 to 63 printable ASCII characters), 64 hex digits, or empty for an open network");
  if (typeof sntp !== "string") throw new TypeError("config sntp must be a host name or an IPv4 address, or empty for no time sync");
  return Object.freeze({ ssid, password: password || undefined, sntp: sntp || undefined });
}

/**
 * SNTP while the network is up. States (one transition function, #enter):
 *   stopped  the network is down, or there is no host: nothing pending
 *   asking   an SNTP client waits for an answer
 *   waiting  a timer asks again: after a failure (backoff) or, once synced, to refresh
 */
type ClockState = "stopped" | "asking" | "waiting";

type ClockOptions = Pick<StationOptions<WiFiInterface>, "sntp" | "time" | "timers" | "random">;

class Clock {
  #state: ClockState = "stopped";
  #client: { close(): void } | undefined;
  /** Tells a current client's callbacks from a closed one's. */
  #request = 0;
  #timer: TimerHandle | undefined;
  #failures = 0;
  #synced = false;
  readonly #host: string | undefined;
  readonly #options: ClockOptions;
  readonly #log: (line: string) => void;

  constructor(host: string | undefined, options: ClockOptions, log: (line: string) => void) {
    this.#host = host;
    this.#options = options;
    this.#log = log;
    if (!host) log("sntp: config sntp is empty; the clock will not be set");
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** The network is up: asks now, unless a request or timer is pending. */
  start(): void {
    if (this.#host && this.#state === "stopped") this.#enter("asking");
  }

  /** The network went down. A synced clock stays synced. */
  stop(): void {
    this.#enter("stopped");
  }

  #enter(state: ClockState, delay = 0): void {
    const { timers, sntp } = this.#options;
    this.#client?.close();
    this.#client = undefined;
    timers.clear(this.#timer);
    this.#timer = undefined;
    this.#state = state;
    if (state === "waiting") {
      this.#timer = timers.set(() => {
        this.#timer = undefined;
        this.#enter("asking");
      }, delay);
    } else if (state === "asking") {
      const request = ++this.#request;
      try {
        this.#client = new sntp.io({ host: this.#host! }, (message, value) => this.#answer(request, message, value));
      } catch (error) {
        this.#failed(describe(error));
      }
    }
  }

  #answer(request: number, message: number, value: number | string | undefined): void {
    const { sntp, time } = this.#options;
    if (request !== this.#request || this.#state !== "asking" || message === sntp.io.retry) return;
    this.#client = undefined; // the client closes itself after an answer or an error
    if (message !== sntp.io.time || typeof value !== "number") return this.#failed(String(value ?? "no answer"));
    if (value < EARLIEST_TIME) return this.#failed(`${this.#host} answered ${value} s since 1970, before 2020`);
    time.set(value);
    this.#synced = true;
    this.#failures = 0;
    this.#log(`sntp: clock set from ${this.#host}: ${new Date(value * 1000).toISOString()}`);
    this.#enter("waiting", SNTP_REFRESH);
  }

  #failed(reason: string): void {
    const delay = backoff(this.#failures++, SNTP_RETRY, this.#options.random);
    this.#log(`sntp: ${reason}; asking ${this.#host} again in ${seconds(delay)}`);
    this.#enter("waiting", delay);
  }
}

/**
 * The Wi-Fi station. States (one transition function, #enter):
 *   idle        start() not called yet
 *   connecting  connect() called; waiting to associate (attempt deadline running)
 *   associated  associated with the access point; waiting for an address (deadline running)
 *   up          an address: onUp was called and the clock is being set
 *   waiting     an attempt failed or the connection was lost; connect() again when the backoff timer fires
 */
type StationState = "idle" | "connecting" | "associated" | "up" | "waiting";

export default class Station<W extends WiFiInterface> {
  #state: StationState = "idle";
  /** Attempt timeout, while connecting or associated. */
  #deadline: TimerHandle | undefined;
  /** Backoff timer, while waiting. */
  #retry: TimerHandle | undefined;
  /** Attempts since the last stable connection: the backoff exponent. */
  #failures = 0;
  #upSince = 0;
  /** The address onUp was reported with. */
  #address: string | undefined;
  #wifi: W | undefined;
  #network: Network | undefined;
  #events: NetworkEvents | undefined;
  #clock: Clock | undefined;
  readonly #options: StationOptions<W>;

  /** Starts nothing: the radio waits for start() or macAddress(). */
  constructor(options: StationOptions<W>) {
    this.#options = options;
  }

  /** The station MAC as 12 lower-case hex digits, or undefined; starts the radio. */
  macAddress(): string | undefined {
    const wifi = this.#radio();
    return normaliseMAC((this.#options.wifi.MAC ?? ((w) => w.MAC))(wifi));
  }

  /** Signal strength in dBm while up, else undefined. */
  rssi(): number | undefined {
    return this.#state === "up" ? this.#rssi() : undefined;
  }

  /** Whether SNTP has answered since boot. */
  clockSynced(): boolean {
    return this.#clock?.synced ?? false;
  }

  /** Joins and keeps joined; bad config throws (naming the key) before anything starts; a second call throws. */
  start(events: NetworkEvents): void {
    if (this.#events) throw new Error("startNetwork() was already called");
    const checked = (this.#network = checkConfig(this.#options.config));
    this.#events = events;
    this.#clock = new Clock(checked.sntp, this.#options, events.log);
    const connection = this.#radio().connection;
    events.log(`wifi: joining "${checked.ssid}"`);
    this.#enter(connection >= ADDRESSED ? "up" : connection >= ASSOCIATED ? "associated" : "connecting");
  }

  #radio(): W {
    return (this.#wifi ??= new this.#options.wifi.io({ onChanged: (property) => this.#changed(property) }));
  }

  #rssi(): number | undefined {
    return (this.#options.wifi.RSSI ?? ((w) => w.RSSI))(this.#radio());
  }

  /** The interface's onChanged. */
  #changed(property: string): void {
    const state = this.#state;
    if (state === "idle") return;
    const wifi = this.#wifi!, connection = wifi.connection, ssid = this.#network!.ssid;
    if (state === "up") {
      if (connection >= ADDRESSED) {
        const address = wifi.address;
        if (property === "address" && address !== this.#address) this.#events!.log(`wifi: new address ${(this.#address = address)}`);
      } else if (connection >= ASSOCIATED) this.#enter("associated", `re-associating with "${ssid}"`);
      else this.#enter("waiting", `lost the connection to "${ssid}"`);
    } else if (connection >= ADDRESSED) this.#enter("up");
    else if (connection >= ASSOCIATED) {
      if (state !== "associated") this.#enter("associated");
    } else if (connection <= DISCONNECTED && state !== "waiting") {
      this.#enter("waiting", state === "connecting" ? `could not join "${ssid}" (not found, or the password was refused)` : `"${ssid}" dropped the connection before an address came`);
    }
  }

  #timedOut(): void {
    this.#deadline = undefined;
    this.#enter("waiting", `no address from "${this.#network!.ssid}" after ${seconds(ATTEMPT_TIMEOUT)}`);
    this.#wifi!.disconnect(); // abandons the attempt; a callback it makes finds the station already waiting
  }

  /** A driver's error message, with the password cut out should it quote it. */
  #redact(error: unknown): string {
    const message = describe(error), password = this.#network!.password;
    return password ? message.split(password).join("<password>") : message;
  }

  #enter(next: StationState, reason?: string): void {
    const previous = this.#state, { timers } = this.#options, log = this.#events!.log, network = this.#network!;
    this.#state = next;
    timers.clear(this.#retry);
    this.#retry = undefined;
    if (next !== "associated") {
      timers.clear(this.#deadline); // "associated" keeps the attempt's deadline; "connecting" sets a new one
      this.#deadline = undefined;
    }
    if (previous === "up") {
      if (timers.now() - this.#upSince >= STABLE_AFTER) this.#failures = 0;
      this.#clock!.stop();
    }
    if (reason && next !== "waiting") log(`wifi: ${reason}`);

    switch (next) {
      case "connecting":
        try {
          const { ssid, password } = network;
          this.#wifi!.connect(password === undefined ? { SSID: ssid } : { SSID: ssid, password });
        } catch (error) {
          return this.#enter("waiting", `connect() failed: ${this.#redact(error)}`);
        }
        this.#deadline = timers.set(() => this.#timedOut(), ATTEMPT_TIMEOUT);
        break;
      case "associated":
        this.#deadline ??= timers.set(() => this.#timedOut(), ATTEMPT_TIMEOUT);
        log(`wifi: associated with "${network.ssid}"; waiting for an address`);
        break;
      case "up": {
        this.#upSince = timers.now();
        this.#address = this.#wifi!.address;
        const rssi = this.#rssi();
        log(`wifi: connected to "${network.ssid}", address ${this.#address}${rssi === undefined ? "" : `, ${rssi} dBm`}`);
        this.#clock!.start();
        this.#events!.onUp();
        break;
      }
      case "waiting": {
        const delay = backoff(this.#failures++, WIFI_RETRY, this.#options.random);
        log(`wifi: ${reason}; trying again in ${seconds(delay)}`);
        this.#retry = timers.set(() => {
          this.#retry = undefined;
          this.#enter("connecting");
        }, delay);
        break;
      }
    }
    if (previous === "up") this.#events!.onDown(reason ?? "Wi-Fi down");
  }
}

/**
 * A board's HostSystem around its station, made on first use: nothing starts
 * the radio (or, on the Pico W, lwIP) at preload. freeHeap is undefined: the
 * SDK reports the XS heap's use, not what is free.
 */
export function boardSystem<W extends WiFiInterface>(name: string, create: () => Station<W>, restart: () => void): HostSystem {
  let station: Station<W> | undefined;
  const theStation = () => (station ??= create());
  return Object.freeze({
    name,
    macAddress: () => theStation().macAddress(),
    freeHeap: () => undefined,
    rssi: () => station?.rssi(),
    clockSynced: () => station?.clockSynced() ?? false,
    restart,
    startNetwork: (events: NetworkEvents) => theStation().start(events),
  });
}
