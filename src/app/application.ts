/*
 * The telemetry application: the device's status, readings, commands,
 * remote configuration, Home Assistant discovery, diagnostics and status
 * light, over one MQTT client. The topic scheme is in ./topics.
 *
 * Takes everything platform-bound (client, board, host system, timers,
 * preference storage, the wall clock) as options, so the simulators and
 * tests run it as it runs on a board. main.ts builds it from config.
 */

import type { IncomingMessage, MQTTClient } from "../mqtt/client";
import { decodeUTF8 } from "../mqtt/utf8";
import type { TimerHandle, Timers } from "../mqtt/timers";
import { CHIPS } from "../sensors/catalog";
import { detectSensors } from "./auto-detect";
import type { Board } from "./board";
import { type Command, parseCommand } from "./commands";
import { diagnostics } from "./diagnostics";
import { type DiscoveryEntity, discoveryMessages, PUBLISH_OPTIONS, removalMessages } from "./discovery";
import type { PersistedSettings } from "./persisted-settings";
import { applySettings, type RuntimeSettings, runtimeSettingsFrom, settingsAsConfig } from "./runtime-settings";
import type { SensorSpec, SensorsSetting } from "./sensor-config";
import { SensorSlot } from "./sensors";
import type { StatusLight } from "./status-light";
import type { HostSystem } from "./system";
import { type Stamp, Telemetry, UNITS } from "./telemetry";
import type { Topics } from "./topics";

export interface ApplicationOptions {
  /** Built with the Will and birth on `topics.status` (see main.ts), not yet started. */
  client: MQTTClient;
  topics: Topics;
  deviceId: string;
  /** Build-time config (mc/config): the runtime settings' defaults. */
  config: Readonly<Record<string, unknown>>;
  sensors: SensorsSetting;
  board: Board;
  system: HostSystem;
  timers: Timers;
  light: StatusLight;
  persisted: PersistedSettings;
  /** Milliseconds since the epoch (Date.now), trusted once `system.clockSynced()`. */
  wallClock: () => number;
  version: string;
  discoveryPrefix: string;
  log: (line: string) => void;
}

/** How long a reboot waits for the broker to take "offline" before restarting anyway. */
const SHUTDOWN_WAIT = 3000;

export class Application {
  readonly #options: ApplicationOptions;
  readonly #bootTicks: number;
  #slots: SensorSlot[] = [];
  #telemetry: Telemetry | undefined;
  #runtime: RuntimeSettings;
  /** The settings changed over MQTT, as saved. */
  #overrides: Record<string, unknown>;
  #diagnosticsTimer: TimerHandle | undefined;
  #detectTimer: TimerHandle | undefined;
  #shuttingDown = false;

  constructor(options: ApplicationOptions) {
    this.#options = options;
    this.#bootTicks = options.timers.now();
    this.#overrides = options.persisted.load();
    const sensors = options.sensors;
    this.#runtime = this.#loadRuntime(sensors.auto ? [] : sensors.sensors.map((spec) => spec.name));
  }

  get settings(): RuntimeSettings {
    return this.#runtime;
  }

  start(): void {
    const { client, topics, system, log } = this.#options;
    client.subscribe(topics.command, { qos: 1 }, (message) => this.#onCommand(message)).catch((error: Error) => log(`mqtt: cannot subscribe to commands: ${error.message}`));
    client.subscribe(topics.configSet, { qos: 1 }, (message) => this.#onConfigSet(message)).catch((error: Error) => log(`mqtt: cannot subscribe to config: ${error.message}`));
    client.subscribe(`${this.#options.discoveryPrefix}/status`, { qos: 1 }, (message) => {
      // Home Assistant's birth: it restarted and may have lost the entities.
      if (decodeUTF8(message.payload) === "online") this.#publishDiscovery();
    }).catch(() => undefined);
    let started = false;
    system.startNetwork({
      log,
      onUp: () => {
        if (started) return;
        started = true;
        client.start();
      },
      onDown: (reason) => log(`network: down (${reason}); reconnecting`),
    });
    if (this.#options.sensors.auto) this.#detect();
    else this.#useSensors(this.#options.sensors.sensors);
    this.#scheduleDiagnostics();
  }

  /** Called by main.ts from the client's onConnect: the birth is out; announce the rest. */
  connected(): void {
    this.#options.light.connected = true;
    this.#publishDiscovery();
    this.#publishConfig();
    // The sensors' availability went out with their first readings; after a reconnect the broker may have lost it.
    if (this.#options.client.stats.connects > 1) this.#telemetry?.announce();
  }

  disconnected(): void {
    this.#options.light.connected = false;
  }

  /** When a reading was taken: epoch ms once the clock is real, else ms since boot, marked as such. */
  stamp(): Stamp {
    return this.#options.system.clockSynced() ? { ts: this.#options.wallClock() } : { uptime: this.#options.timers.now() - this.#bootTicks };
  }

  /** Publishes "offline" (retained) on the status topic, disconnects and restarts the device. */
  reboot(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    const { client, topics, timers, system, log } = this.#options;
    log("rebooting");
    this.#telemetry?.stop();
    timers.clear(this.#diagnosticsTimer);
    timers.clear(this.#detectTimer);
    let restarted = false;
    const restart = () => {
      if (restarted) return;
      restarted = true;
      client.close(200);
      // Let the DISCONNECT reach the broker, so it drops the Will ("offline" is already there).
      timers.set(() => system.restart(), 300);
    };
    client.publish(topics.status, "offline", { qos: 1, retain: true }).then(restart, restart);
    timers.set(restart, SHUTDOWN_WAIT);
  }

  #detect(): void {
    const { board, timers, log } = this.#options;
    detectSensors(board, (found) => {
      if (found.length) return this.#useSensors(found);
      log(`sensors: auto found no sensor on ${board.name}'s buses; looking again in a minute`);
      this.#detectTimer = timers.set(() => this.#detect(), 60_000);
    });
  }

  #useSensors(specs: readonly SensorSpec[]): void {
    const { board, client, timers, topics, log } = this.#options;
    this.#slots = specs.map((spec) => new SensorSlot(spec, board));
    this.#runtime = this.#loadRuntime(specs.map((spec) => spec.name));
    log(`sensors on ${board.name}: ${specs.map((spec) => `${spec.name} (${spec.chip})`).join(", ")}; publishing under ${topics.base} every ${this.#runtime.interval} ms`);
    this.#telemetry = new Telemetry({
      client, sensors: this.#slots, timers, topics, log,
      settings: () => this.#runtime,
      stamp: () => this.stamp(),
    });
    this.#telemetry.start();
    if (client.state === "connected") this.connected();
  }

  /** Build-time defaults, then the saved overrides key by key: one that no longer fits (a sensor removed) is dropped, not fatal. */
  #loadRuntime(names: readonly string[]): RuntimeSettings {
    let config = this.#options.config;
    if (this.#options.sensors.auto) {
      // Found sensors get their config; those configured for sensors not (yet) found are left out.
      config = Object.fromEntries(Object.entries(config).filter(([key]) => !/^sensors\./.test(key) || names.includes(key.split(".")[1])));
    }
    let runtime = runtimeSettingsFrom(config, names);
    for (const [key, value] of Object.entries(this.#overrides)) {
      if (!names.length && key.startsWith("sensors.")) continue;
      const result = applySettings(runtime, { [key]: value }, names);
      if (result.settings) runtime = result.settings;
      else this.#options.log(`settings: saved ${key} ignored: ${result.errors[key]}`);
    }
    return runtime;
  }

  #change(changes: Readonly<Record<string, unknown>>): { ok: true } | { ok: false; errors: Record<string, string> } {
    const before = this.#runtime;
    const result = applySettings(before, changes, this.#slots.map((slot) => slot.name));
    if (result.errors) return { ok: false, errors: result.errors };
    this.#runtime = result.settings;
    const overrides = { ...this.#overrides, ...changes };
    // A retained config/set comes again at every connect: write the flash only when something changed.
    if (JSON.stringify(overrides) !== JSON.stringify(this.#overrides)) {
      this.#overrides = overrides;
      try {
        this.#options.persisted.save(overrides);
      }
      catch (error) {
        this.#options.log(`settings: applied but not saved: ${(error as Error).message}`);
      }
    }
    this.#telemetry?.reschedule();
    if (before.diagnosticsInterval !== this.#runtime.diagnosticsInterval) this.#scheduleDiagnostics();
    if (before.discovery && !this.#runtime.discovery) this.#publishAll(removalMessages({ discoveryPrefix: this.#options.discoveryPrefix, deviceId: this.#options.deviceId }, this.#entities()));
    else if (before.discovery !== this.#runtime.discovery || before.format !== this.#runtime.format) this.#publishDiscovery();
    this.#publishConfig();
    return { ok: true };
  }

  #onConfigSet(message: IncomingMessage): void {
    const text = decodeUTF8(message.payload);
    let changes: unknown;
    try {
      changes = text === undefined ? undefined : JSON.parse(text);
    }
    catch {
      changes = undefined;
    }
    if (!changes || typeof changes !== "object" || Array.isArray(changes) || !Object.keys(changes).length) {
      this.#reply(this.#options.topics.configReply, { ok: false, error: "config/set takes a JSON object of settings, like {\"interval\": 10000}" });
      return;
    }
    const result = this.#change(changes as Record<string, unknown>);
    this.#options.log(result.ok ? `settings: changed ${Object.keys(changes).join(", ")}` : `settings: change refused: ${Object.values(result.errors).join("; ")}`);
    this.#reply(this.#options.topics.configReply, result.ok ? { ok: true, config: settingsAsConfig(this.#runtime) } : result);
  }

  #onCommand(message: IncomingMessage): void {
    const { topics, log } = this.#options;
    if (message.retain) {
      // A retained command would run again at every connect (a reboot loop); only live ones count.
      log(`command ignored: it was retained on ${topics.command}; clear it with an empty retained message`);
      return;
    }
    const text = decodeUTF8(message.payload);
    const parsed = parseCommand(text ?? "", this.#slots.map((slot) => slot.name));
    const head: Record<string, unknown> = {};
    if (parsed.id !== undefined) head.id = parsed.id;
    if (parsed.command !== undefined) head.command = parsed.command;
    if (!parsed.ok || !parsed.parsed) {
      log(`command refused: ${parsed.error}`);
      this.#reply(topics.commandReply, { ...head, ok: false, error: parsed.error });
      return;
    }
    this.#run(parsed.parsed, (result) => this.#reply(topics.commandReply, { ...head, ...result }));
  }

  #run(command: Command, reply: (result: Record<string, unknown>) => void): void {
    switch (command.command) {
      case "reboot":
        reply({ ok: true });
        this.reboot();
        return;
      case "interval": {
        const key = command.sensor === undefined ? "interval" : `sensors.${command.sensor}.interval`;
        const result = this.#change({ [key]: command.value });
        reply(result.ok ? { ok: true, [key]: command.value } : { ok: false, error: Object.values(result.errors).join("; ") });
        return;
      }
      case "identify":
        if (!this.#options.light.present) {
          reply({ ok: false, error: `${this.#options.board.name} has no status LED (set config led to its pin)` });
          return;
        }
        this.#options.light.identify(command.seconds);
        reply({ ok: true, seconds: command.seconds });
        return;
      case "sample":
        if (!this.#telemetry) {
          reply({ ok: false, error: "no sensors yet (auto detection has found none)" });
          return;
        }
        this.#telemetry.sampleNow(command.sensor, (readings) => reply({ ok: true, readings }));
        return;
      case "diagnostics":
        this.#publishDiagnostics();
        reply({ ok: true, topic: this.#options.topics.diagnostics });
    }
  }

  #reply(topic: string, body: Record<string, unknown>): void {
    this.#options.client.publish(topic, JSON.stringify(body), { qos: 1 }).catch((error: Error) => this.#options.log(`reply not sent: ${error.message}`));
  }

  #publishConfig(): void {
    this.#options.client.publish(this.#options.topics.config, JSON.stringify(settingsAsConfig(this.#runtime)), { qos: 1, retain: true })
      .catch((error: Error) => this.#options.log(`config not published: ${error.message}`));
  }

  #entities(): DiscoveryEntity[] {
    const { topics } = this.#options;
    const state = this.#runtime.format === "state";
    const entities: DiscoveryEntity[] = [];
    for (const slot of this.#slots) {
      const chip = CHIPS[slot.spec.chip];
      for (const quantity of chip.measures) {
        entities.push({
          sensor: slot.name, chip: slot.spec.chip, quantity, unit: UNITS[quantity], decimals: chip.decimals[quantity],
          stateTopic: state ? topics.state : topics.reading(slot.name, quantity),
          valueTemplate: state ? `{{ value_json.sensors.${slot.name}.${quantity} }}` : this.#runtime.format === "plain" ? "{{ value }}" : "{{ value_json.value }}",
          availabilityTopic: topics.sensorAvailability(slot.name),
        });
      }
    }
    return entities;
  }

  #publishDiscovery(): void {
    if (!this.#runtime.discovery || !this.#slots.length || this.#options.client.state !== "connected") return;
    const { deviceId, board, version, topics, discoveryPrefix } = this.#options;
    try {
      const messages = discoveryMessages({
        discoveryPrefix, deviceId, deviceName: deviceId, manufacturer: "xs-sensor-firmware", model: board.name,
        swVersion: version, availabilityTopic: topics.status, entities: this.#entities(),
      });
      this.#publishAll(messages);
      this.#options.log(`discovery: ${messages.length} Home Assistant entit${messages.length === 1 ? "y" : "ies"} under ${discoveryPrefix}/sensor/${deviceId}/`);
    }
    catch (error) {
      this.#options.log(`discovery: ${(error as Error).message}`);
    }
  }

  #publishAll(messages: readonly { topic: string; payload: string }[]): void {
    for (const message of messages) {
      this.#options.client.publish(message.topic, message.payload, PUBLISH_OPTIONS).catch((error: Error) => this.#options.log(`discovery not published: ${error.message}`));
    }
  }

  #scheduleDiagnostics(): void {
    const { timers } = this.#options;
    timers.clear(this.#diagnosticsTimer);
    this.#diagnosticsTimer = undefined;
    const every = this.#runtime.diagnosticsInterval;
    if (!every || this.#shuttingDown) return;
    this.#diagnosticsTimer = timers.set(() => {
      this.#publishDiagnostics();
      this.#scheduleDiagnostics();
    }, every);
  }

  #publishDiagnostics(): void {
    const { client, system, timers, version, topics } = this.#options;
    const body = diagnostics({
      stamp: this.stamp(), uptimeMs: timers.now() - this.#bootTicks, version, system,
      mqtt: client.stats, outboxDepth: client.pending, sensors: this.#slots,
    });
    client.publish(topics.diagnostics, JSON.stringify(body), { qos: 1 }).catch((error: Error) => this.#options.log(`diagnostics not published: ${error.message}`));
  }
}
