/*
 * Module "host/update" where the device can update itself: the ECMA-419
 * update module writes the next OTA partition (opened with
 * `embedded:storage/flash`, as the SDK's httpserverota example does) and
 * boot-control settles the trial (ESP32: the SDK's modules and
 * hosts/esp32/boot-control; the simulator hosts: theirs, over the storage
 * folder).
 */

import Update from "embedded:update";
import flash from "embedded:storage/flash";
import bootControl from "boot-control";
import type { FirmwareSlots } from "ota/slots";

const slots: FirmwareSlots | undefined = Object.freeze({
  update: Object.freeze({
    open: ({ byteLength }: { byteLength: number }) => Update.open({ partition: flash.open({ path: "nextota" }), byteLength }),
  }),
  boot: bootControl,
});

export default slots;
