/*
 * aedes as a broker process of its own, for the publish benchmark when
 * mosquitto is not installed (so the broker does not share the clients'
 * event loop). Prints "port N" once listening; stops on SIGTERM.
 */

import { startAedes } from "../brokers";

const broker = await startAedes();
process.stdout.write(`port ${broker.port}\n`);
process.on("SIGTERM", () => { void broker.stop().then(() => process.exit(0)); });
