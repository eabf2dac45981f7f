/*
 * The settings changed over MQTT, kept in the device's preference storage so
 * they outlive a reboot. Stored as JSON text split into records the storage
 * takes (ESP32 NVS: 4000 bytes; Pico: 63), under two alternating sets of
 * keys ("a0", "a1", ... and "b0", ...) with the "current" key written last:
 * power lost in the middle of a save leaves the previous settings whole.
 */

export interface PreferenceStrings {
  set(domain: string, key: string, value: string): void;
  get(domain: string, key: string): unknown;
  delete(domain: string, key: string): void;
}

export class PersistedSettings {
  readonly #preference: PreferenceStrings;
  readonly #domain: string;
  readonly #chunk: number;

  constructor(preference: PreferenceStrings, options: { domain?: string; recordBytes?: number } = {}) {
    this.#preference = preference;
    this.#domain = options.domain ?? "settings";
    // Leave room for a string terminator and multi-byte characters counted as one.
    this.#chunk = Math.max(8, Math.floor(((options.recordBytes ?? 4000) - 4) / 3));
  }

  /** The saved overrides, or {} when there are none or they cannot be read. */
  load(): Record<string, unknown> {
    const current = this.#preference.get(this.#domain, "current");
    if (typeof current !== "string" || !/^[ab]\d+$/.test(current)) return {};
    const set = current[0], count = Number(current.slice(1));
    let text = "";
    for (let i = 0; i < count; i++) {
      const part = this.#preference.get(this.#domain, `${set}${i}`);
      if (typeof part !== "string") return {};
      text += part;
    }
    try {
      const value = JSON.parse(text) as unknown;
      return value && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : {};
    }
    catch {
      return {};
    }
  }

  save(overrides: Readonly<Record<string, unknown>>): void {
    const text = JSON.stringify(overrides);
    const current = this.#preference.get(this.#domain, "current");
    const oldSet = typeof current === "string" ? current[0] : "b";
    const oldCount = typeof current === "string" ? Number(current.slice(1)) || 0 : 0;
    const set = oldSet === "a" ? "b" : "a";
    let count = 0;
    for (let at = 0; at < text.length; count++) {
      let end = Math.min(at + this.#chunk, text.length);
      // Never split a surrogate pair: each half alone is not valid UTF-8 in storage.
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      this.#preference.set(this.#domain, `${set}${count}`, text.slice(at, end));
      at = end;
    }
    this.#preference.set(this.#domain, "current", `${set}${count}`);
    // The old set's records, and any an interrupted save left past the new set's end.
    this.#deleteFrom(oldSet, 0, oldCount);
    this.#deleteFrom(set, count, 0);
  }

  /** Deletes `${set}${start}` onwards: at least up to `atLeast`, then while records are found. */
  #deleteFrom(set: string, start: number, atLeast: number): void {
    for (let i = start; i < atLeast || this.#preference.get(this.#domain, `${set}${i}`) !== undefined; i++) this.#preference.delete(this.#domain, `${set}${i}`);
  }
}
