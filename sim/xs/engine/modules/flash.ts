/* `embedded:storage/flash` for the XS host: the Node host's (sim/node/modules/flash.ts) needs no bridge. */
export { default } from "../../../node/modules/flash";
