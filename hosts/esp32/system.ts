/*
 * ESP32 boards' system (module "host/system"): identity, Wi-Fi, the clock and
 * restarting, from the Moddable SDK's modules.
 *
 * Wi-Fi. The SDK's own network setup (build/devices/esp32/setup/network.js,
 * which examples/manifest_net.json preloads and the SDK's io, net and sntp
 * manifests all include) runs before main whenever `ssid` is set: it calls
 * connect() once, holds main back until an address comes and SNTP answers,
 * then closes its Wi-Fi object. It never retries: with the access point down
 * or the password refused at boot, main never runs; and nothing reconnects
 * after a loss. So hosts/esp32/manifest.json leaves it out ("~"), and
 * startNetwork() does the whole job from the same `ssid` and `password`
 * config keys (`mcconfig ... ssid=X password=Y`, as the README says):
 *
 *   - it joins with the ECMA-419 Wi-Fi interface
 *     (`embedded:network/interface/wifi`, the one the SDK's setup uses);
 *     an attempt with no address after 30 s is abandoned;
 *   - a failed attempt or a lost connection is retried after a delay whose
 *     ceiling doubles from 2 s to 60 s, random in the ceiling's upper half
 *     (so 1 s to 60 s); a connection that lasted 30 s resets it;
 *   - onUp once there is an address; onDown(reason) when it goes (only after
 *     an onUp); a log line for every step. The password is never logged.
 *
 * So main runs at boot without the network, and nothing starts the TCP/IP
 * stack before startNetwork() (the first Wi-Fi object calls esp_netif_init):
 * call it before any socket is opened, and start the MQTT client on onUp.
 *
 * Clock. After each onUp, the `sntp` module asks the host in config `sntp`
 * (manifest_net.json's default: pool.ntp.org; empty: never). The module does
 * not set the clock: this one does (Time.set), and clockSynced() turns true.
 * A failure (after the module's own 5 tries, 5 s apart) is retried after a
 * delay from 15 s to 30 min (backoff as above); once synced, the time is
 * read again every 12 hours. clockSynced() is false after every boot until
 * SNTP answers, whatever the date says.
 *
 * Identity: macAddress() is the station MAC from `net` (Net.get("MAC"));
 * rssi() is Net.get("RSSI") while up. Both start the radio if startNetwork()
 * has not.
 *
 * freeHeap() is undefined: the SDK tells JavaScript how much of the XS heap
 * is used (`instrumentation`'s "XS Chunk Heap Used" and "XS Slot Heap Used",
 * in -d or -i builds only) but neither its size nor what is free;
 * "System Free Memory" is the C heap (heap_caps_get_free_size), not XS's.
 *
 * restart() is the `System` global's (modules/io/system: esp_restart()).
 *
 * Nothing here runs while preloading: the Wi-Fi object is made on first use.
 */

import { deviceTimers, type TimerHandle } from "app/device-timers";
import type { HostSystem, NetworkEvents } from "app/system";
import WiFi from "embedded:network/interface/wifi";
import config from "mc/config";
import { utf8Length } from "mqtt/utf8";
import Net from "net";
import SNTP, { type SNTPMessage } from "sntp";
import Time from "time";

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

/** ECMA-419 Wi-Fi `connection` thresholds: 200 or less disconnected, 300 connecting. */
const ASSOCIATED = 400, ADDRESSED = 500, DISCONNECTED = 200;

function backoff(attempt: number, { first, max }: { first: number; max: number }): number {
  const ceiling = Math.min(max, first * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** "A4:D1:8C:DB:C0:20" -> "a4d18cdbc020"; anything else -> undefined. */
function normaliseMAC(mac: string | undefined): string | undefined {
  const hex = mac?.replace(/[:-]/g, "").toLowerCase();
  return hex && /^[0-9a-f]{12}$/.test(hex) ? hex : undefined;
}

interface Credentials {
  readonly ssid: string;
  /** Undefined: an open network. */
  readonly password: string | undefined;
}

/** The network from config; a missing or impossible value throws, naming the key and never quoting the password. */
function credentials(): Credentials {
  const { ssid, password = "" } = config;
  if (typeof ssid !== "string" || ssid === "") throw new TypeError("config ssid is not set: build with ssid=<network name> password=<passphrase>");
  if (utf8Length(ssid) > 32) throw new RangeError(`config ssid must be at most 32 bytes, not ${utf8Length(ssid)}`);
  if (typeof password !== "string") throw new TypeError("config password must be a string");
  if (password !== "" && !/^[\x20-\x7e]{8,63}$/.test(password) && !/^[0-9a-fA-F]{64}$/.test(password))
    throw new RangeError("config password must be a WPA2 passphrase (8 to 63 printable ASCII characters), 64 hex digits, or empty for an open network");
  return Object.freeze({ ssid, password: password === "" ? undefined : password });
}

/** The SNTP server from config `sntp`; undefined when empty (no time sync). */
function sntpHost(): string | undefined {
  const host = config.sntp;
  if (host === undefined || host === "") return undefined;
  if (typeof host !== "string") throw new TypeError("config sntp must be a host name or an IPv4 address, or empty for no time sync");
  return host;
}

/**
 * SNTP while the network is up. States (one transition function, #enter):
 *   stopped  the network is down, or there is no host: nothing pending
 *   asking   an SNTP client waits for an answer
 *   waiting  a timer asks again: after a failure (backoff) or, once synced, to refresh
 */
type ClockState = "stopped" | "asking" | "waiting";

class Clock {
  #state: ClockState = "stopped";
  #client: SNTP | undefined;
  /** Tells a current client's callbacks from a closed one's. */
  #request = 0;
  #timer: TimerHandle | undefined;
  #failures = 0;
  #synced = false;
  readonly #host: string | undefined;
  readonly #log: (line: string) => void;

  constructor(host: string | undefined, log: (line: string) => void) {
    this.#host = host;
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
    this.#client?.close();
    this.#client = undefined;
    deviceTimers.clear(this.#timer);
    this.#timer = undefined;
    this.#state = state;
    if (state === "waiting") {
      this.#timer = deviceTimers.set(() => {
        this.#timer = undefined;
        this.#enter("asking");
      }, delay);
    } else if (state === "asking") {
      const request = ++this.#request;
      try {
        this.#client = new SNTP({ host: this.#host! }, (message, value) => this.#answer(request, message, value));
      } catch (error) {
        this.#failed(describe(error));
      }
    }
  }

  #answer(request: number, message: SNTPMessage, value: number | string | undefined): void {
    if (request !== this.#request || this.#state !== "asking" || message === SNTP.retry) return;
    this.#client = undefined; // the module closes itself after an answer or an error
    if (message !== SNTP.time || typeof value !== "number") return this.#failed(String(value ?? "no answer"));
    if (value < EARLIEST_TIME) return this.#failed(`${this.#host} answered ${value} s since 1970, before 2020`);
    Time.set(value);
    this.#synced = true;
    this.#failures = 0;
    this.#log(`sntp: clock set from ${this.#host}: ${new Date(value * 1000).toISOString()}`);
    this.#enter("waiting", SNTP_REFRESH);
  }

  #failed(reason: string): void {
    const delay = backoff(this.#failures++, SNTP_RETRY);
    this.#log(`sntp: ${reason}; asking ${this.#host} again in ${seconds(delay)}`);
    this.#enter("waiting", delay);
  }
}

/**
 * The Wi-Fi station. States (one transition function, #enter):
 *   idle        made, start() not called yet
 *   connecting  connect() called; waiting to associate (attempt deadline running)
 *   associated  associated with the access point; waiting for an address (deadline running)
 *   up          an address: onUp was called and the clock is being set
 *   waiting     an attempt failed or the connection was lost; connect() again when the backoff timer fires
 */
type StationState = "idle" | "connecting" | "associated" | "up" | "waiting";

class Station {
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
  readonly #wifi: WiFi;
  readonly #network: Credentials;
  readonly #events: NetworkEvents;
  readonly #clock: Clock;

  constructor(wifi: WiFi, network: Credentials, events: NetworkEvents, clock: Clock) {
    this.#wifi = wifi;
    this.#network = network;
    this.#events = events;
    this.#clock = clock;
  }

  get up(): boolean {
    return this.#state === "up";
  }

  get synced(): boolean {
    return this.#clock.synced;
  }

  start(): void {
    const connection = this.#wifi.connection;
    this.#events.log(`wifi: joining "${this.#network.ssid}"`);
    this.#enter(connection >= ADDRESSED ? "up" : connection >= ASSOCIATED ? "associated" : "connecting");
  }

  /** The interface's onChanged. */
  changed(property: string): void {
    const connection = this.#wifi.connection, state = this.#state, ssid = this.#network.ssid;
    if (state === "idle") return;
    if (state === "up") {
      if (connection >= ADDRESSED) {
        const address = this.#wifi.address;
        if (property === "address" && address !== this.#address) this.#events.log(`wifi: new address ${(this.#address = address)}`);
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
    this.#wifi.disconnect(); // abandons the attempt; `connection` is 200 at once, without a callback
    this.#enter("waiting", `no address from "${this.#network.ssid}" after ${seconds(ATTEMPT_TIMEOUT)}`);
  }

  #enter(next: StationState, reason?: string): void {
    const previous = this.#state, log = this.#events.log;
    this.#state = next;
    if (next !== "waiting") {
      deviceTimers.clear(this.#retry);
      this.#retry = undefined;
    }
    if (next === "up" || next === "waiting") {
      deviceTimers.clear(this.#deadline);
      this.#deadline = undefined;
    }
    if (previous === "up") {
      if (deviceTimers.now() - this.#upSince >= STABLE_AFTER) this.#failures = 0;
      this.#clock.stop();
    }
    if (reason && next !== "waiting") log(`wifi: ${reason}`);

    switch (next) {
      case "connecting":
        try {
          const { ssid, password } = this.#network;
          this.#wifi.connect(password === undefined ? { SSID: ssid } : { SSID: ssid, password });
        } catch (error) {
          // The SDK's messages ("already connecting", "connect failed") carry no credentials.
          return this.#enter("waiting", `connect() failed: ${describe(error)}`);
        }
        this.#deadline = deviceTimers.set(() => this.#timedOut(), ATTEMPT_TIMEOUT);
        break;
      case "associated":
        this.#deadline ??= deviceTimers.set(() => this.#timedOut(), ATTEMPT_TIMEOUT);
        log(`wifi: associated with "${this.#network.ssid}"; waiting for an address`);
        break;
      case "up": {
        this.#upSince = deviceTimers.now();
        this.#address = this.#wifi.address;
        const rssi = Net.get("RSSI");
        log(`wifi: connected to "${this.#network.ssid}", address ${this.#address}${rssi === undefined ? "" : `, ${rssi} dBm`}`);
        this.#clock.start();
        this.#events.onUp();
        break;
      }
      case "waiting": {
        const delay = backoff(this.#failures++, WIFI_RETRY);
        log(`wifi: ${reason}; trying again in ${seconds(delay)}`);
        this.#retry = deviceTimers.set(() => {
          this.#retry = undefined;
          this.#enter("connecting");
        }, delay);
        break;
      }
    }
    if (previous === "up") this.#events.onDown(reason ?? "Wi-Fi down");
  }
}

let wifi: WiFi | undefined;
let station: Station | undefined;

/** The Wi-Fi interface, made on first use: making it starts the radio and the TCP/IP stack. */
function wifiInterface(): WiFi {
  return (wifi ??= new WiFi({ onChanged: (property) => station?.changed(property) }));
}

const system: HostSystem = Object.freeze({
  name: "esp32",
  macAddress() {
    wifiInterface(); // before the Wi-Fi driver starts, Net has no interface to ask
    return normaliseMAC(Net.get("MAC"));
  },
  freeHeap: () => undefined,
  rssi: () => (station?.up ? Net.get("RSSI") : undefined),
  clockSynced: () => station?.synced ?? false,
  restart: () => System.restart(),
  startNetwork(events: NetworkEvents) {
    if (station) throw new Error("startNetwork() was already called");
    const network = credentials(), host = sntpHost(); // bad config throws before anything starts
    station = new Station(wifiInterface(), network, events, new Clock(host, events.log));
    station.start();
  },
});

export default system;
