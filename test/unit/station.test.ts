/*
 * The boards' Wi-Fi station and SNTP clock (hosts/common/station.ts), driven
 * through its public behaviour: a fake ECMA-419 Wi-Fi class whose
 * `connection` the test moves (200 disconnected, 300 connecting, 400
 * associated, 500 with an address) with onChanged callbacks as the SDK makes
 * them, a fake `sntp` client, virtual timers and a seeded random.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { NetworkEvents } from "../../src/app/system";
import Station, { type StationOptions, type WiFiInterface } from "../../hosts/common/station";
import { VirtualTimers } from "../helpers/virtual-timers";
import { seededRandom } from "./mqtt/random";

const SSID = "Home Net";
const PASSWORD = "s3cret-Passphrase!";
const HOUR = 60 * 60_000;
/** 2023-11-14T22:13:20Z. */
const NOW = 1_700_000_000;

/** The ECMA-419 Wi-Fi interface as the SDK's implementations behave (src/typings/board/wifi.d.ts). */
class FakeWiFi implements WiFiInterface {
  connection = 200;
  address: string | undefined;
  MAC: string | undefined = "28:CD:C1:00:00:01";
  RSSI: number | undefined;
  readonly onChanged: (property: string) => void;
  /** connect() calls: the options and the virtual time. */
  readonly connects: { options: { SSID: string; password?: string }; at: number }[] = [];
  disconnects = 0;
  /** Set to make connect() throw this. */
  refuse: Error | undefined;

  constructor(options: { onChanged: (property: string) => void }, private readonly timers: VirtualTimers) {
    this.onChanged = options.onChanged;
  }

  connect(options: { SSID: string; password?: string }): void {
    if (this.refuse) throw this.refuse;
    this.connects.push({ options, at: this.timers.now() });
    this.connection = 300;
  }

  disconnect(): void {
    this.disconnects++;
    this.connection = 200; // at once, without a callback
  }

  /** The chip moves: `connection` changes and onChanged("connection") follows, as on the event loop. */
  move(connection: number, address?: string): void {
    this.connection = connection;
    this.address = connection >= 500 ? address ?? "192.168.1.20" : undefined;
    this.RSSI = connection >= 400 ? -61 : undefined;
    this.onChanged("connection");
  }
}

/** One `sntp` client: asks at once; the test answers through `answer`. */
interface FakeRequest {
  host: string;
  closed: boolean;
  answer(message: number, value?: number | string): void;
}

function setup(config: Record<string, unknown> = { ssid: SSID, password: PASSWORD, sntp: "pool.ntp.org" }, extra: Partial<StationOptions<FakeWiFi>> = {}) {
  const timers = new VirtualTimers(1_000_000);
  const radios: FakeWiFi[] = [];
  const requests: FakeRequest[] = [];
  const clockSets: number[] = [];
  const lines: string[] = [];
  const ups: number[] = [];
  const downs: string[] = [];

  class SNTP {
    static readonly time = 1;
    static readonly retry = 2;
    static readonly error = -1;
    constructor(options: { host: string }, callback: (message: number, value?: number | string) => void) {
      const request: FakeRequest = {
        host: options.host,
        closed: false,
        answer: (message, value) => {
          if (request.closed) return;
          if (message !== SNTP.retry) request.closed = true; // the client closes itself before an answer or an error
          callback(message, value);
        },
      };
      requests.push(request);
      this.close = () => void (request.closed = true);
    }
    close: () => void;
  }

  const station = new Station<FakeWiFi>({
    wifi: {
      io: class extends FakeWiFi {
        constructor(options: { onChanged: (property: string) => void }) {
          super(options, timers);
          radios.push(this);
        }
      },
    },
    sntp: { io: SNTP },
    time: { set: (seconds) => void clockSets.push(seconds) },
    timers,
    random: seededRandom(0x5eed),
    config,
    ...extra,
  });
  const events: NetworkEvents = {
    log: (line) => void lines.push(line),
    onUp: () => void ups.push(timers.now()),
    onDown: (reason) => void downs.push(reason),
  };
  const radio = () => {
    assert.equal(radios.length, 1, "one Wi-Fi object");
    return radios[0]!;
  };
  /** Fires the next timer and returns how long after `from` it was due. */
  const nextTimer = (from = timers.now()) => {
    const due = timers.next;
    assert.ok(due !== undefined, "a timer is pending");
    timers.advanceTo(due);
    return due - from;
  };
  /** start(), then the access point answers: associated, then an address. */
  const bringUp = () => {
    station.start(events);
    radio().move(400);
    radio().move(500);
  };
  return { station, timers, radios, radio, requests, clockSets, lines, ups, downs, events, nextTimer, bringUp, SNTP };
}

/** The Wi-Fi backoff's bounds for the nth failure since the last stable connection: the ceiling doubles from 2 s to 60 s; the delay is in its upper half. */
const wifiBounds = (n: number): [number, number] => {
  const ceiling = Math.min(60_000, 2_000 * 2 ** n);
  return [ceiling / 2, ceiling];
};

const within = (value: number, [low, high]: [number, number], what: string) =>
  assert.ok(value >= low && value <= high, `${what}: ${value} ms is not within ${low}..${high} ms`);

describe("station: joining", () => {
  it("connects with the configured SSID and password; an open network sends no password", () => {
    const { station, radio, events, lines } = setup();
    station.start(events);
    assert.deepEqual(radio().connects.map((c) => c.options), [{ SSID: SSID, password: PASSWORD }]);
    assert.deepEqual(lines, [`wifi: joining "${SSID}"`]);

    const open = setup({ ssid: "Cafe", password: "", sntp: "pool.ntp.org" });
    open.station.start(open.events);
    assert.deepEqual(open.radio().connects.map((c) => c.options), [{ SSID: "Cafe" }]);
  });

  it("a failed first attempt is retried, with delays in a doubling ceiling's upper half, capped at 60 s", () => {
    const { station, timers, radio, events, nextTimer, lines } = setup();
    station.start(events);
    const delays: number[] = [];
    for (let failure = 0; failure < 8; failure++) {
      const failedAt = timers.now();
      radio().move(200); // not found, or the password was refused
      assert.match(lines.at(-1)!, new RegExp(`^wifi: could not join "${SSID}" \\(not found, or the password was refused\\); trying again in [\\d.]+ s$`));
      const delay = nextTimer(failedAt);
      within(delay, wifiBounds(failure), `retry ${failure + 1}`);
      assert.equal(radio().connects.length, failure + 2, "connect() again when the delay is over");
      assert.equal(radio().connects.at(-1)!.at, failedAt + delay);
      delays.push(delay);
    }
    // Each doubled ceiling's lower half starts at the previous ceiling: the delays grow until the cap (then 30..60 s).
    for (let i = 1; i < 5; i++) assert.ok(delays[i]! >= delays[i - 1]!, `delays grow: ${delays.join(", ")}`);
  });

  it("an attempt with no address 30 s after connect() is abandoned and retried, associated or not", () => {
    const { station, timers, radio, events, nextTimer, lines } = setup();
    station.start(events);
    timers.advance(29_999);
    assert.equal(radio().disconnects, 0);
    timers.advance(1);
    assert.equal(radio().disconnects, 1, "the attempt is abandoned");
    assert.match(lines.at(-1)!, new RegExp(`^wifi: no address from "${SSID}" after 30 s; trying again in`));
    within(nextTimer(), wifiBounds(0), "first retry");
    assert.equal(radio().connects.length, 2);

    // Associated after 10 s, but no address: the deadline still runs from connect().
    const attempt = timers.now();
    timers.advance(10_000);
    radio().move(400);
    assert.equal(lines.at(-1), `wifi: associated with "${SSID}"; waiting for an address`);
    timers.advanceTo(attempt + 29_999);
    assert.equal(radio().disconnects, 1);
    timers.advanceTo(attempt + 30_000);
    assert.equal(radio().disconnects, 2);
  });

  it("connect() throwing is a failed attempt, retried", () => {
    const { station, radio, events, nextTimer, lines, ups } = setup();
    station.macAddress(); // makes the Wi-Fi object
    radio().refuse = new Error("already connecting");
    station.start(events);
    assert.match(lines.at(-1)!, /^wifi: connect\(\) failed: already connecting; trying again in/);
    radio().refuse = undefined;
    within(nextTimer(), wifiBounds(0), "retry");
    assert.equal(radio().connects.length, 1);
    radio().move(500);
    assert.equal(ups.length, 1);
  });

  it("takes a connection the chip already has", () => {
    const { station, radio, events, ups } = setup();
    station.macAddress();
    radio().connection = 500;
    radio().address = "10.0.0.7";
    station.start(events);
    assert.equal(radio().connects.length, 0);
    assert.equal(ups.length, 1);
  });
});

describe("station: up and down", () => {
  it("onUp once an address arrives, with a log line; a new address is logged, not a second onUp", () => {
    const { station, timers, radio, events, lines, ups, downs } = setup();
    station.start(events);
    radio().move(300);
    radio().move(400);
    assert.deepEqual(ups, [], "associated is not up");
    assert.equal(station.rssi(), undefined);
    radio().move(500, "192.168.1.20");
    assert.deepEqual(ups, [timers.now()]);
    assert.ok(lines.includes(`wifi: connected to "${SSID}", address 192.168.1.20, -61 dBm`), lines.join("\n"));
    assert.equal(station.rssi(), -61);

    radio().address = "192.168.1.21";
    radio().onChanged("address");
    assert.equal(lines.at(-1), "wifi: new address 192.168.1.21");
    assert.equal(ups.length, 1);
    assert.deepEqual(downs, []);
    timers.advance(29_000);
    assert.equal(radio().disconnects, 0, "no attempt deadline once up");
  });

  it("a loss calls onDown with the reason and reconnects after the backoff", () => {
    const { timers, radio, nextTimer, ups, downs, lines, bringUp, station } = setup();
    bringUp();
    radio().move(200);
    assert.deepEqual(downs, [`lost the connection to "${SSID}"`]);
    assert.match(lines.at(-1)!, new RegExp(`^wifi: lost the connection to "${SSID}"; trying again in`));
    assert.equal(station.rssi(), undefined);
    const lostAt = timers.now();
    within(nextTimer(lostAt), wifiBounds(0), "reconnect");
    assert.equal(radio().connects.length, 2);
    radio().move(500);
    assert.equal(ups.length, 2);
  });

  it("re-associating while up is onDown, then onUp again with the address", () => {
    const { radio, ups, downs, lines, bringUp } = setup();
    bringUp();
    radio().move(400);
    assert.deepEqual(downs, [`re-associating with "${SSID}"`]);
    assert.ok(lines.includes(`wifi: re-associating with "${SSID}"`));
    radio().move(500);
    assert.equal(ups.length, 2);
  });

  it("a connection that lasted 30 s resets the backoff; a shorter one does not", () => {
    const raise = (failures: number) => {
      const s = setup();
      s.station.start(s.events);
      for (let i = 0; i < failures; i++) {
        s.radio().move(200);
        s.nextTimer();
      }
      return s;
    };
    // Five failures: the next delay's ceiling would be 60 s.
    const stable = raise(5);
    stable.radio().move(500);
    stable.timers.advance(30_000);
    stable.radio().move(200);
    within(stable.nextTimer(), wifiBounds(0), "after 30 s up");

    const brief = raise(5);
    brief.radio().move(500);
    brief.timers.advance(29_999);
    brief.radio().move(200);
    within(brief.nextTimer(), wifiBounds(5), "after 29.999 s up");
  });

  it("onDown only after an onUp", () => {
    const { station, radio, events, downs, nextTimer } = setup();
    station.start(events);
    radio().move(400);
    radio().move(200);
    nextTimer();
    radio().move(200);
    assert.deepEqual(downs, []);
  });
});

describe("station: the clock", () => {
  it("an SNTP error is retried after 15 to 30 s; an answer sets the time and clockSynced()", () => {
    const { station, requests, clockSets, lines, nextTimer, bringUp, SNTP } = setup();
    assert.equal(station.clockSynced(), false);
    bringUp();
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.host, "pool.ntp.org");
    requests[0]!.answer(SNTP.retry);
    requests[0]!.answer(SNTP.error, "no response from SNTP server");
    assert.match(lines.at(-1)!, /^sntp: no response from SNTP server; asking pool.ntp.org again in [\d.]+ s$/);
    assert.equal(station.clockSynced(), false);
    within(nextTimer(), [15_000, 30_000], "SNTP retry");
    assert.equal(requests.length, 2);

    requests[1]!.answer(SNTP.time, NOW);
    assert.deepEqual(clockSets, [NOW]);
    assert.equal(station.clockSynced(), true);
    assert.equal(lines.at(-1), "sntp: clock set from pool.ntp.org: 2023-11-14T22:13:20.000Z");
  });

  it("SNTP retries back off to 30 min; an answer before 2020 is a failure", () => {
    const { requests, clockSets, nextTimer, bringUp, SNTP } = setup();
    bringUp();
    requests[0]!.answer(SNTP.time, 86_400);
    let ceiling = 30_000;
    for (let failure = 0; failure < 10; failure++) {
      within(nextTimer(), [ceiling / 2, ceiling], `SNTP retry ${failure + 1}`);
      requests.at(-1)!.answer(SNTP.error, "cannot resolve pool.ntp.org");
      ceiling = Math.min(30 * 60_000, ceiling * 2);
    }
    assert.deepEqual(clockSets, []);
  });

  it("once synced, the time is read again every 12 hours", () => {
    const { timers, requests, clockSets, bringUp, SNTP } = setup();
    bringUp();
    requests[0]!.answer(SNTP.time, NOW);
    timers.advance(12 * HOUR - 1);
    assert.equal(requests.length, 1);
    timers.advance(1);
    assert.equal(requests.length, 2);
    requests[1]!.answer(SNTP.time, NOW + 12 * 3600);
    assert.deepEqual(clockSets, [NOW, NOW + 12 * 3600]);
  });

  it("the network going down closes a pending request; a synced clock stays synced; the next onUp asks again", () => {
    const { station, radio, requests, bringUp, nextTimer, SNTP } = setup();
    bringUp();
    requests[0]!.answer(SNTP.time, NOW);
    nextTimer(); // 12 h later, the refresh asks
    assert.equal(requests.length, 2);
    radio().move(200);
    assert.equal(requests[1]!.closed, true);
    assert.equal(station.clockSynced(), true);
    nextTimer();
    radio().move(500);
    assert.equal(requests.length, 3);
  });

  it("config sntp empty: the clock is never set, and says so", () => {
    const { requests, lines, bringUp } = setup({ ssid: SSID, password: PASSWORD, sntp: "" });
    bringUp();
    assert.equal(requests.length, 0);
    assert.ok(lines.includes("sntp: config sntp is empty; the clock will not be set"));
  });
});

describe("station: identity", () => {
  it("macAddress() makes the Wi-Fi object on first use and gives 12 lower-case hex digits", () => {
    const { station, radios } = setup();
    assert.equal(radios.length, 0, "nothing starts the radio at construction");
    assert.equal(station.macAddress(), "28cdc1000001");
    assert.equal(station.macAddress(), "28cdc1000001");
    assert.equal(radios.length, 1);
  });

  it("a board's MAC and RSSI hooks replace the interface's", () => {
    const made: FakeWiFi[] = [];
    const { station, events, lines } = setup(undefined, {
      wifi: {
        io: class extends FakeWiFi {
          constructor(options: { onChanged: (property: string) => void }) {
            super(options, new VirtualTimers());
            made.push(this);
          }
        },
        // Like ESP32's Net.get("MAC"): an answer only once the Wi-Fi object has started the driver.
        MAC: () => (made.length ? "A4-D1-8C-DB-C0-20" : undefined),
        RSSI: () => -70,
      },
    });
    assert.equal(station.macAddress(), "a4d18cdbc020");
    assert.equal(station.rssi(), undefined, "not up");
    station.start(events);
    made[0]!.move(500, "10.1.2.3");
    assert.equal(station.rssi(), -70);
    assert.ok(lines.includes(`wifi: connected to "${SSID}", address 10.1.2.3, -70 dBm`), lines.join("\n"));
  });

  it("an impossible MAC is undefined", () => {
    const { station, radios } = setup();
    station.macAddress();
    radios[0]!.MAC = "not a mac";
    assert.equal(station.macAddress(), undefined);
  });
});

describe("station: config", () => {
  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["ssid missing", { password: PASSWORD }, /^config ssid is not set/],
    ["ssid empty", { ssid: "", password: PASSWORD }, /^config ssid is not set/],
    ["ssid not a string", { ssid: 42, password: PASSWORD }, /^config ssid is not set/],
    ["ssid over 32 bytes", { ssid: "é".repeat(17), password: PASSWORD }, /^config ssid must be at most 32 bytes, not 34$/],
    ["password not a string", { ssid: SSID, password: 12345678 }, /^config password must be a string$/],
    ["password too short", { ssid: SSID, password: "short77" }, /^config password must be a WPA2 passphrase/],
    ["password too long", { ssid: SSID, password: "p".repeat(64) }, /^config password must be a WPA2 passphrase/],
    ["password not printable ASCII", { ssid: SSID, password: "pässwörd-long" }, /^config password must be a WPA2 passphrase/],
    ["sntp not a string", { ssid: SSID, password: PASSWORD, sntp: 123 }, /^config sntp must be a host name/],
  ];
  for (const [what, config, expected] of refusals) {
    it(`throws naming the key: ${what}; nothing starts`, () => {
      const { station, events, radios, lines } = setup(config);
      assert.throws(() => station.start(events), (error: Error) => {
        assert.ok(error instanceof TypeError || error instanceof RangeError, `${error}`);
        assert.match(error.message, expected);
        if (typeof config.password === "string") assert.ok(!error.message.includes(config.password), "the password is not quoted");
        return true;
      });
      assert.equal(radios.length, 0, "no Wi-Fi object");
      assert.deepEqual(lines, []);
    });
  }

  it("accepts 64 hex digits and an 8-character passphrase", () => {
    for (const password of ["0123456789abcdef".repeat(4), "12345678"]) {
      const { station, events, radio } = setup({ ssid: SSID, password });
      station.start(events);
      assert.equal(radio().connects[0]!.options.password, password);
    }
  });

  it("a second start() throws", () => {
    const { station, events } = setup();
    station.start(events);
    assert.throws(() => station.start(events), /already called/);
  });
});

describe("station: the password is never logged", () => {
  it("not in any log line, onDown reason or error, a driver error quoting it included", () => {
    const { station, timers, radio, events, lines, downs, requests, nextTimer, SNTP } = setup();
    station.start(events);
    radio().move(200);
    nextTimer();
    radio().move(400);
    timers.advance(30_000); // deadline
    radio().refuse = new Error(`connect failed for ${SSID}/${PASSWORD}`);
    nextTimer();
    radio().refuse = undefined;
    nextTimer();
    radio().move(500);
    requests.at(-1)!.answer(SNTP.error, "no response from SNTP server");
    nextTimer();
    requests.at(-1)!.answer(SNTP.time, NOW);
    radio().address = "192.168.1.99";
    radio().onChanged("address");
    radio().move(400);
    radio().move(200);
    let thrown = "";
    try {
      station.start(events);
    } catch (error) {
      thrown = String(error);
    }
    assert.ok(thrown, "the second start() threw");
    assert.ok(lines.some((line) => line.includes("connect() failed: connect failed for Home Net/<password>")), lines.join("\n"));
    assert.ok(lines.length > 10, "the scenario logged its steps");
    for (const text of [...lines, ...downs, thrown]) assert.ok(!text.includes(PASSWORD), `the password appears in: ${text}`);
  });
});
