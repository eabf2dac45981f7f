/*
 * Module "host/update" where the device can update itself: the ECMA-419
 * update module for the slot and boot-control for the trial (ESP32: the
 * SDK's embedded:update and hosts/esp32/boot-control; the simulator hosts:
 * theirs, over the storage folder).
 */

import Update from "embedded:update";
import bootControl from "boot-control";
import type { FirmwareSlots } from "ota/slots";

const slots: FirmwareSlots | undefined = Object.freeze({ update: Update, boot: bootControl });

export default slots;
