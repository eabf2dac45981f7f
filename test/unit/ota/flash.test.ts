/*
 * The simulated flash and bootloader (sim/flash.ts) against ESP-IDF's app
 * rollback rules: a completed update boots once as pending; confirmed it
 * stays, unconfirmed the next boot goes back; retry() gives one more trial;
 * a damaged or missing slot image never boots; an incomplete write leaves
 * the selection alone.
 */

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DESCRIPTOR_PREFIX, SimulatedFlash } from "../../../sim/flash";
import { temporaryDirectory } from "../../helpers/brokers";

const image = (version: string) => new Uint8Array(Buffer.from(`${DESCRIPTOR_PREFIX}${JSON.stringify({ format: 1, target: "sim", version, config: {}, pinned: [] })}\nexport {};\n`));

/** A fresh boot of the device on `storage`: a new flash object, as a restarted host makes. */
function boot(storage: string): { flash: SimulatedFlash; image: string; log: string } {
  const flash = new SimulatedFlash(storage);
  return { flash, ...flash.boot() };
}

function install(flash: SimulatedFlash, version: string): void {
  const bytes = image(version);
  flash.open(bytes.length);
  flash.write(bytes);
  flash.complete();
}

describe("simulated flash and bootloader", () => {
  it("boots a completed update once on trial, keeps it when confirmed", () => {
    const storage = temporaryDirectory("flash");
    let device = boot(storage);
    assert.equal(device.image, "factory");
    install(device.flash, "2.0.0");
    device = boot(storage);
    assert.equal(device.image, "ota_0");
    assert.equal(device.flash.state(), "pending");
    device.flash.markValid();
    device = boot(storage);
    assert.equal(device.image, "ota_0");
    assert.equal(device.flash.state(), "valid");
    install(device.flash, "3.0.0");
    assert.equal(boot(storage).image, "ota_1", "the next update goes to the other slot");
  });

  it("goes back to the previous image when a trial boot restarts unconfirmed, unless given another trial", () => {
    const storage = temporaryDirectory("flash");
    install(boot(storage).flash, "2.0.0");
    let device = boot(storage);
    device.flash.retry();
    assert.equal(device.flash.state(), "valid", "new again, as ESP-IDF reports a re-selected image (the agent remembers it is on trial)");
    device = boot(storage);
    assert.equal(device.image, "ota_0", "retry: booted again");
    assert.equal(device.flash.state(), "pending");
    device = boot(storage);
    assert.equal(device.image, "factory");
    assert.match(device.log, /not booting ota_0 \(restarted before it was confirmed\); booting factory instead/);
    assert.equal(device.flash.describe().states.ota_0, "aborted");
  });

  it("rolls back on request, and never boots a slot whose image is damaged", () => {
    const storage = temporaryDirectory("flash");
    install(boot(storage).flash, "2.0.0");
    let device = boot(storage);
    device.flash.rollback();
    assert.equal(boot(storage).image, "factory");
    install(boot(storage).flash, "2.1.0");
    writeFileSync(new SimulatedFlash(storage).slotPath("ota_0"), "garbage");
    device = boot(storage);
    assert.equal(device.image, "factory");
    assert.match(device.log, /missing or damaged/);
  });

  it("refuses an image without a descriptor or of the wrong length, and an abandoned write changes nothing", () => {
    const storage = temporaryDirectory("flash");
    const { flash } = boot(storage);
    flash.open(10);
    flash.write(new Uint8Array(5));
    assert.throws(() => flash.complete(), /end failed/);
    flash.open();
    flash.write(new Uint8Array(Buffer.from("not an image")));
    assert.throws(() => flash.complete(), /end failed/);
    flash.open();
    flash.write(image("2.0.0"));
    flash.abandon();
    assert.throws(() => flash.complete(), /already complete/);
    assert.equal(boot(storage).image, "factory");
    assert.throws(() => flash.open(0x100001), /invalid byteLength/);
  });
});
