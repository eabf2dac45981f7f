/*
 * Moddable's `sntp` module (modules/network/sntp/sntp.js), typed as the SDK
 * implements it, not as @moddable/typings says: the callback's second
 * argument is the time (seconds since 1970) with `SNTP.time` but the reason,
 * a string, with `SNTP.error`; returning a host name from an `SNTP.error`
 * callback makes the client try that host, anything else closes it; and the
 * client has `close()` (from the `socket` module's UDP socket it extends).
 *
 * Behaviour worth knowing: the host is resolved with Net.resolve, then asked
 * up to 5 times, 5 s apart (`SNTP.retry` before each repeat); the client
 * closes itself before calling back with `SNTP.time`. It does not set the
 * clock: the caller does, with Time.set(seconds). Kiss-o'-Death replies are
 * ignored (the next repeat goes out).
 *
 * The device host manifests exclude the SDK's typings/sntp.d.ts ("~") and
 * list this file in their TypeScript `types` (see ./net.d.ts for why it is
 * in src/typings/board/).
 */
declare module "sntp" {
  export type SNTPMessage = -1 | 1 | 2;

  /**
   * `message` SNTP.time: `value` is the time in seconds since 1970 (UTC);
   * SNTP.retry: a request is being repeated, no value;
   * SNTP.error: `value` says why ("no response from SNTP server", "cannot resolve <host>", ...).
   */
  export type SNTPCallback = (message: SNTPMessage, value?: number | string) => string | void;

  export default class SNTP {
    static readonly time: 1;
    static readonly retry: 2;
    static readonly error: -1;
    /** Starts at once. Throws when no UDP socket can be made (out of memory) or lwIP's DNS queue is full. */
    constructor(options: { host: string }, callback: SNTPCallback);
    /** Stops asking; no callback follows. */
    close(): void;
  }
}
