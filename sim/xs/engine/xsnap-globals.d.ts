/*
 * Globals of the xsnap worker (@agoric/xsnap's XS build) that the XS host's
 * bridge captures at start-up and then removes, so the firmware sees only
 * what a Moddable device has.
 */
declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
declare const performance: { now(): number };
declare class TextEncoder { encode(text: string): Uint8Array }
declare class TextDecoder { decode(bytes: ArrayBuffer | ArrayBufferView): string }
