/*
 * Module "host/update" where the firmware cannot update itself over the air:
 * Pico W (Moddable has no OTA there) and the SDK's desktop simulator. The
 * update agent stays off and says why.
 */

import type { FirmwareSlots } from "ota/slots";

const slots: FirmwareSlots | undefined = undefined;

export default slots;
