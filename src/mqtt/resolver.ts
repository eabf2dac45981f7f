/*
 * Host names to IPv4 addresses, for the broker and for update downloads.
 *
 * ECMA-419 sockets connect to addresses; a client that takes a host name
 * also takes a DNS resolver in its options, as the standard's network
 * clients do: `dns: {io: Resolver, ...its options}`. The resolver class has
 * `resolve({host, onResolved(host, address), onError(host)})` and `close()`
 * (the shape of the Moddable SDK's `embedded:network/dns/resolver/udp`).
 * The firmware gets one from its host (module "host/dns": NetResolver below
 * over the SDK's `net` module).
 *
 * `resolveHost` makes a resolver for one look-up and closes it after, so
 * nothing stays open between connections and each attempt asks afresh (an
 * address that changed is picked up at the next reconnect). An IPv4
 * address passes through without a look-up.
 */

import type { TimerHandle, Timers } from "./timers";

export interface ResolveRequest {
  host: string;
  onResolved(this: unknown, host: string, address: string): void;
  onError(this: unknown, host: string): void;
}

export interface ResolverInstance {
  resolve(request: ResolveRequest): void;
  close(): void;
}

export interface ResolverConstructor {
  new (options: Record<string, unknown>): ResolverInstance;
}

/** `{io: Resolver}` plus any options the resolver class takes (e.g. `servers`, `socket`). */
export interface ResolverOptions {
  io: ResolverConstructor;
  [option: string]: unknown;
}

/** What NetResolver needs of Moddable's `net` module: `Net.resolve(name, callback)`, answering later with an address or undefined. */
export interface NetLookup {
  resolve(name: string, callback: (name: string, address?: string) => void): void;
}

/**
 * An ECMA-419-style resolver over Moddable's `Net.resolve` (lwIP's DNS
 * client on boards): `new NetResolver({net: Net})`. Net.resolve cannot be
 * cancelled; after close() a late answer goes nowhere.
 */
export class NetResolver implements ResolverInstance {
  readonly #net: NetLookup;
  #open = true;

  constructor(options: Record<string, unknown>) {
    const net = options.net as NetLookup | undefined;
    if (typeof net?.resolve !== "function") throw new TypeError("NetResolver needs net: the `net` module (Net.resolve)");
    this.#net = net;
  }

  resolve({ host, onResolved, onError }: ResolveRequest): void {
    if (!this.#open) throw new Error("resolver is closed");
    this.#net.resolve(host, (name, address) => {
      if (!this.#open) return;
      if (address) onResolved.call(this, name, address);
      else onError.call(this, name);
    });
  }

  close(): void {
    this.#open = false;
  }
}

/**
 * Sends names under ".local" (multicast DNS, RFC 6762) to one resolver and
 * every other name to another: `new LocalNameResolver({names: {io: ...},
 * local: {io: ...}})`, each given as the `dns` option would be. For boards
 * whose lwIP does not ask multicast DNS by itself (Pico W). Each look-up
 * gets a resolver of its own; close() closes them.
 */
export class LocalNameResolver implements ResolverInstance {
  readonly #names: ResolverOptions;
  readonly #local: ResolverOptions;
  #inner: ResolverInstance[] = [];

  constructor(options: Record<string, unknown>) {
    const names = options.names as ResolverOptions | undefined, local = options.local as ResolverOptions | undefined;
    if (typeof names?.io !== "function" || typeof local?.io !== "function") throw new TypeError("LocalNameResolver needs names: {io: Resolver} and local: {io: Resolver}");
    this.#names = names;
    this.#local = local;
  }

  resolve(request: ResolveRequest): void {
    const { io, ...settings } = /\.local\.?$/i.test(request.host) ? this.#local : this.#names;
    const inner = new io(settings);
    this.#inner.push(inner);
    inner.resolve(request);
  }

  close(): void {
    for (const inner of this.#inner.splice(0)) {
      try {
        inner.close();
      }
      catch {
        // Already closed by itself; nothing more to release.
      }
    }
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** RFC 1123 host name (an IPv4 address is one too): dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isIPv4Address(text: string): boolean {
  return IPV4.test(text);
}

/**
 * The IPv4 address `host` stands for without asking DNS: the address itself,
 * or 127.0.0.1 for "localhost" in any case (RFC 6761 6.3: resolvers answer
 * it themselves); otherwise undefined.
 */
export function literalAddress(host: string): string | undefined {
  if (IPV4.test(host)) return host;
  return host.toLowerCase() === "localhost" ? "127.0.0.1" : undefined;
}

/**
 * A host name or an IPv4 address (what a URL's host may be here). A name
 * whose last label is a number ("10.0.0.256", "0x7f.1") is neither: resolvers
 * read such text as an address (RFC 1123 2.1; the WHATWG URL rule "ends in a
 * number"), so it must be a valid dotted-decimal IPv4 address or nothing.
 */
export function isHost(text: string): boolean {
  if (IPV4.test(text)) return true;
  const last = text.slice(text.lastIndexOf(".") + 1);
  return HOST_NAME.test(text) && !/^(\d+|0x[0-9a-f]*)$/i.test(last);
}

/** A look-up that ended without an address. */
export class ResolveError extends Error {
  override readonly name = "ResolveError";
  readonly host: string;
  constructor(host: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.host = host;
  }
}

export interface ResolveOptions {
  dns: ResolverOptions | undefined;
  host: string;
  timers: Timers;
  /** Longest wait for an answer, ms. */
  timeoutMs: number;
  onResolved(address: string): void;
  onError(error: ResolveError): void;
}

/**
 * Looks `host` up; calls exactly one of `onResolved`/`onError`, never from
 * inside this call, unless cancelled first. Returns the cancel function.
 */
export function resolveHost(options: ResolveOptions): () => void {
  const { dns, host, timers } = options;
  let resolver: ResolverInstance | undefined;
  let timer: TimerHandle | undefined;
  let done = false;
  const finish = (outcome: () => void) => {
    if (done) return;
    done = true;
    timers.clear(timer);
    timer = undefined;
    try {
      resolver?.close();
    }
    catch {
      // Already closed by the resolver itself; nothing more to release.
    }
    resolver = undefined;
    outcome();
  };
  const cancel = () => finish(() => undefined);
  const fail = (message: string, cause?: unknown) => finish(() => options.onError(new ResolveError(host, message, cause)));
  /** Runs `outcome` on a later turn, in place of the time limit: never from inside resolveHost. */
  const later = (outcome: () => void) => {
    timers.clear(timer);
    timer = timers.set(outcome, 0);
  };

  const literal = literalAddress(host);
  if (literal) {
    later(() => finish(() => options.onResolved(literal)));
    return cancel;
  }
  if (!dns) {
    later(() => fail(`host name "${host}" cannot be resolved: this client has no DNS resolver (dns option)`));
    return cancel;
  }
  timer = timers.set(() => fail(`no answer for host name "${host}" within ${options.timeoutMs} ms`), options.timeoutMs);
  const { io, ...settings } = dns;
  let starting = true;
  // A resolver that answers inside resolve() (a cached name) is answered after this call returns.
  const settle = (outcome: () => void) => (starting ? later(outcome) : outcome());
  try {
    resolver = new io(settings);
    resolver.resolve({
      host,
      onResolved: (_name, address) => settle(() => {
        const text = String(address);
        if (isIPv4Address(text)) finish(() => options.onResolved(text));
        else fail(`host name "${host}" resolved to "${text}", which is not an IPv4 address`);
      }),
      onError: () => settle(() => fail(`host name "${host}" not found (DNS)`)),
    });
    starting = false;
  }
  catch (error) {
    // Refused at once (no network yet, the look-up queue full): reported like a failed look-up, not re-entrantly.
    later(() => fail(`cannot look up host name "${host}": ${(error as Error)?.message ?? String(error)}`, error));
  }
  return cancel;
}
