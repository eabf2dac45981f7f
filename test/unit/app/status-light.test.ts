/*
 * The status LED (src/app/status-light.ts) on a fake ECMA-419 Digital class
 * that records every write with the virtual clock's time: lit while
 * disconnected, dark when connected, blinking at 125 ms steps to identify
 * the device, and nothing at all on a board without an LED.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DigitalPinOptions } from "embedded:provider/builtin";
import { StatusLight } from "../../../src/app/status-light";
import { VirtualTimers } from "../../helpers/virtual-timers";

type Write = readonly [time: number, value: 0 | 1];

interface Board {
  clock: VirtualTimers;
  led: DigitalPinOptions;
  /** Every Digital constructed, with its options. */
  pins: { options: { pin?: unknown; mode?: unknown; io?: unknown }; closed: boolean }[];
  /** Every write to any pin, with its time. */
  writes: Write[];
  /** Writes since the last call. */
  take(): Write[];
}

function board(pin = 2): Board {
  const clock = new VirtualTimers();
  const pins: Board["pins"] = [];
  const writes: Write[] = [];
  let taken = 0;
  class FakeDigital {
    static readonly Input = 0;
    static readonly Output = 8;
    readonly #record: Board["pins"][number];

    constructor(options: { pin: unknown; mode: unknown; io: unknown }) {
      this.#record = { options: { ...options }, closed: false };
      pins.push(this.#record);
    }

    write(value: 0 | 1): void {
      if (this.#record.closed) throw new Error("Digital is closed");
      assert.ok(value === 0 || value === 1, `write(${String(value)})`);
      writes.push([clock.now(), value]);
    }

    close(): void {
      this.#record.closed = true;
    }
  }
  return {
    clock, pins, writes,
    led: { io: FakeDigital, pin } as unknown as DigitalPinOptions,
    take() {
      const out = writes.slice(taken);
      taken = writes.length;
      return out;
    },
  };
}

/** Writes alternating from `first`, one every 125 ms from `start`, `count` of them. */
function blinks(start: number, first: 0 | 1, count: number): Write[] {
  return Array.from({ length: count }, (_, i) => [start + i * 125, (i % 2 === 0 ? first : 1 - first) as 0 | 1]);
}

describe("status light: status", () => {
  it("opens the LED's pin as an output, with the board's options", () => {
    const { led, clock, pins } = board(25);
    const light = new StatusLight(led, clock);
    assert.equal(light.present, true);
    assert.equal(pins.length, 1);
    assert.deepEqual(pins[0].options, { io: led.io, pin: 25, mode: 8 });
  });

  it("is lit from the start (not connected yet), dark once connected, lit again when the link is lost", () => {
    const { led, clock, take } = board();
    const light = new StatusLight(led, clock);
    assert.deepEqual(take(), [[0, 1]]);
    clock.advance(1000);
    light.connected = true;
    assert.deepEqual(take(), [[1000, 0]]);
    clock.advance(1000);
    light.connected = false;
    assert.deepEqual(take(), [[2000, 1]]);
  });

  it("writes the pin only when the light changes", () => {
    const { led, clock, take } = board();
    const light = new StatusLight(led, clock);
    light.connected = false;
    light.connected = false;
    assert.deepEqual(take(), [[0, 1]]);
    light.connected = true;
    light.connected = true;
    assert.deepEqual(take(), [[0, 0]]);
  });

  it("sets no timer just to show the status", () => {
    const { led, clock } = board();
    const light = new StatusLight(led, clock);
    light.connected = true;
    assert.equal(clock.pending, 0);
  });
});

describe("status light: identify", () => {
  it("blinks at 125 ms steps for the given seconds, then shows the status again (connected: dark)", () => {
    const { led, clock, take } = board();
    const light = new StatusLight(led, clock);
    light.connected = true;
    clock.advance(500);
    take();
    light.identify(2);
    clock.advance(10_000);
    // 4 Hz: 16 steps in 2 s, starting from the other state; the last leaves it dark, as connected shows it.
    assert.deepEqual(take(), blinks(500, 1, 16));
    assert.equal(clock.pending, 0, "no timer left once done");
  });

  it("after an odd number of steps (1.1 s), puts the status back (disconnected: lit)", () => {
    const { led, clock, take } = board();
    const light = new StatusLight(led, clock);
    take();
    light.identify(1.1);
    clock.advance(5000);
    // Steps at 0 ... 1000 (9 of them) end dark; at 1125 the blink is over and the light shows "disconnected".
    assert.deepEqual(take(), [...blinks(0, 0, 9), [1125, 1]]);
  });

  it("ignores connection changes while blinking, and shows the latest status after", () => {
    const { led, clock, take } = board();
    const light = new StatusLight(led, clock);
    take();
    light.identify(1);
    clock.advance(300);
    light.connected = true;
    clock.advance(300);
    light.connected = false;
    clock.advance(100);
    light.connected = true;
    clock.advance(5000);
    // 8 steps from lit end lit; connected by then: dark at 1000.
    assert.deepEqual(take(), [...blinks(0, 0, 8), [1000, 0]]);
  });

  it("identify while blinking extends the blink from now, without a second timer or a restart", () => {
    const { led, clock, take } = board();
    const light = new StatusLight(led, clock);
    take();
    light.identify(1);
    clock.advance(500);
    light.identify(1);
    assert.equal(clock.pending, 1);
    clock.advance(10_000);
    // Until 1500 now, still in step with the first blink: 12 steps.
    assert.deepEqual(take(), blinks(0, 0, 12));
  });

  it("identify again after a blink ended blinks again", () => {
    const { led, clock, take } = board();
    const light = new StatusLight(led, clock);
    light.connected = true;
    light.identify(1);
    clock.advance(2000);
    take();
    light.identify(1);
    clock.advance(2000);
    assert.deepEqual(take(), blinks(2000, 1, 8));
  });
});

describe("status light: close", () => {
  it("closes the pin", () => {
    const { led, clock, pins } = board();
    const light = new StatusLight(led, clock);
    light.close();
    assert.equal(pins[0].closed, true);
  });

  it("clears the blink timer: nothing is written to the closed pin afterwards", () => {
    const { led, clock, pins, take } = board();
    const light = new StatusLight(led, clock);
    light.identify(5);
    clock.advance(300);
    take();
    light.close();
    assert.equal(clock.pending, 0);
    assert.equal(pins[0].closed, true);
    clock.advance(10_000); // a step left running would write to the closed pin and throw here
    assert.deepEqual(take(), []);
  });
});

describe("status light: no LED", () => {
  it("is not present, and nothing throws", () => {
    const clock = new VirtualTimers();
    const light = new StatusLight(undefined, clock);
    assert.equal(light.present, false);
    light.connected = true;
    light.connected = false;
    light.identify(1);
    clock.advance(300);
    light.identify(2);
    clock.advance(5000);
    assert.equal(clock.pending, 0, "the blink ends as with an LED");
    light.identify(3);
    light.close();
    assert.equal(clock.pending, 0);
    clock.advance(5000);
  });
});
