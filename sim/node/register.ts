/*
 * `node --import tsx --import ./sim/node/register.ts ...`: registers the Node
 * host's module hooks (./hooks.ts) with the manifest's config, so firmware
 * imports resolve as on a device. The unit tests run this way, so a test can
 * import any firmware module, those importing `timer` or
 * `embedded:io/socket/tcp` included, exactly as the firmware links it.
 * (The Node host itself, boot.ts, registers with the device's own config.)
 */

import { register } from "node:module";
import { firmwareConfig } from "../config";

register(new URL("./hooks.ts", import.meta.url).href, { data: { config: firmwareConfig() } });
