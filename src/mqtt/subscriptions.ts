/*
 * Subscriptions: the filters the application asked for, their handlers and
 * granted QoS, and the SUBSCRIBE/UNSUBSCRIBE requests awaiting an ack.
 *
 * A filter is routed to as soon as `add` returns (a retained message can
 * arrive before the SUBACK). It is confirmed by its SUBACK; filters not
 * confirmed, or all of them when the broker kept no session, are subscribed
 * again on the next connection (`toSubscribe`). Unsubscribes made while
 * offline are sent on the next connection too, for a broker that kept the
 * session.
 */

import { SUBACK_FAILURE } from "./constants";
import { SubscriptionRefusedError } from "./errors";
import type { QoS, Subscription } from "./packets";
import { topicMatches } from "./topics";

export interface IncomingMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export type MessageHandler = (message: IncomingMessage) => void;

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface Entry {
  readonly filter: string;
  qos: QoS;
  handler: MessageHandler | undefined;
  /** Granted QoS from the latest SUBACK, or undefined until then. */
  granted: number | undefined;
  /** A SUBSCRIBE for it awaits its SUBACK. */
  requested: boolean;
  waiters: Waiter<QoS>[];
}

type Request =
  | { kind: "subscribe"; filters: string[] }
  | { kind: "unsubscribe"; filters: string[]; waiters: Waiter<void>[] };

export class Subscriptions {
  readonly #entries = new Map<string, Entry>();
  readonly #requests = new Map<number, Request>();
  /** Unsubscribes not yet acknowledged, to send on the next connection. */
  readonly #leaving = new Map<string, Waiter<void>[]>();

  /** Registers (or updates) a filter; the promise settles with its SUBACK. */
  add(filter: string, qos: QoS, handler: MessageHandler | undefined): Promise<QoS> {
    const entry = this.#entries.get(filter) ?? { filter, qos, handler, granted: undefined, requested: false, waiters: [] };
    entry.qos = qos;
    entry.handler = handler;
    entry.granted = undefined;
    entry.requested = false;
    this.#entries.set(filter, entry);
    this.#leaving.delete(filter);
    return new Promise<QoS>((resolve, reject) => entry.waiters.push({ resolve, reject }));
  }

  /** Stops routing to a filter; the promise settles with its UNSUBACK. */
  remove(filter: string): Promise<void> {
    this.#entries.delete(filter);
    return new Promise<void>((resolve, reject) => {
      const waiters = this.#leaving.get(filter) ?? [];
      waiters.push({ resolve, reject });
      this.#leaving.set(filter, waiters);
    });
  }

  /** Filters to send in a SUBSCRIBE now: the unconfirmed ones, or all when the broker kept no session. */
  toSubscribe(sessionPresent: boolean): Subscription[] {
    const list: Subscription[] = [];
    for (const entry of this.#entries.values()) {
      if (!sessionPresent || (entry.granted === undefined && !entry.requested)) list.push({ topicFilter: entry.filter, qos: entry.qos });
    }
    return list;
  }

  /** Filters to send in an UNSUBSCRIBE now. */
  toUnsubscribe(): string[] {
    return [...this.#leaving.keys()];
  }

  subscribing(packetId: number, list: Subscription[]): void {
    for (const { topicFilter } of list) {
      const entry = this.#entries.get(topicFilter);
      if (entry) entry.requested = true;
    }
    this.#requests.set(packetId, { kind: "subscribe", filters: list.map((s) => s.topicFilter) });
  }

  unsubscribing(packetId: number, filters: string[]): void {
    const waiters = filters.flatMap((filter) => this.#leaving.get(filter) ?? []);
    for (const filter of filters) this.#leaving.delete(filter);
    this.#requests.set(packetId, { kind: "unsubscribe", filters, waiters });
  }

  /** SUBACK: settles each filter's waiters. Returns false for an unknown id or a count mismatch. */
  suback(packetId: number, codes: number[]): boolean {
    const request = this.#requests.get(packetId);
    if (!request || request.kind !== "subscribe" || request.filters.length !== codes.length) return false;
    this.#requests.delete(packetId);
    request.filters.forEach((filter, i) => {
      const entry = this.#entries.get(filter);
      if (!entry) return; // unsubscribed meanwhile
      const waiters = entry.waiters.splice(0);
      entry.requested = false;
      if (codes[i] === SUBACK_FAILURE) {
        this.#entries.delete(filter);
        for (const waiter of waiters) waiter.reject(new SubscriptionRefusedError(filter));
      }
      else {
        entry.granted = codes[i];
        for (const waiter of waiters) waiter.resolve(codes[i] as QoS);
      }
    });
    return true;
  }

  /** UNSUBACK. Returns false for an unknown id. */
  unsuback(packetId: number): boolean {
    const request = this.#requests.get(packetId);
    if (!request || request.kind !== "unsubscribe") return false;
    this.#requests.delete(packetId);
    for (const waiter of request.waiters) waiter.resolve();
    return true;
  }

  /** The link is gone: requests without an ack will be made again on the next connection. */
  linkLost(): void {
    for (const request of this.#requests.values()) {
      if (request.kind === "unsubscribe") {
        request.filters.forEach((filter, i) => this.#leaving.set(filter, i === 0 ? request.waiters : []));
      }
      else {
        for (const filter of request.filters) {
          const entry = this.#entries.get(filter);
          if (entry) {
            entry.granted = undefined;
            entry.requested = false;
          }
        }
      }
    }
    this.#requests.clear();
  }

  /** Handlers of every filter matching `topic`. */
  handlersFor(topic: string): MessageHandler[] {
    const handlers: MessageHandler[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.handler && topicMatches(entry.filter, topic)) handlers.push(entry.handler);
    }
    return handlers;
  }

  /** Rejects every waiting promise (the client is closing). */
  abandon(error: Error): void {
    for (const entry of this.#entries.values()) for (const waiter of entry.waiters.splice(0)) waiter.reject(error);
    for (const waiters of this.#leaving.values()) for (const waiter of waiters) waiter.reject(error);
    for (const request of this.#requests.values()) if (request.kind === "unsubscribe") for (const waiter of request.waiters) waiter.reject(error);
    this.#leaving.clear();
    this.#requests.clear();
  }
}
