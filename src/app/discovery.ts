/*
 * Home Assistant MQTT discovery: the retained config messages that make
 * each sensor quantity appear in Home Assistant as a sensor entity of one
 * device, and the empty messages that remove them. Pure: options in,
 * messages out; the caller publishes them (retained, QoS 1: PUBLISH_OPTIONS)
 * before the readings, after every connect and whenever Home Assistant's
 * birth message ("online" on `<discoveryPrefix>/status`) arrives.
 *
 * Follows https://www.home-assistant.io/integrations/mqtt/ (discovery topic,
 * payload, origin, availability) and
 * https://www.home-assistant.io/integrations/sensor.mqtt/ (sensor options),
 * with full option names (the abbreviations are optional).
 *
 *   topic     <discoveryPrefix>/sensor/<deviceId>/<sensor>_<quantity>/config
 *   unique_id <deviceId>_<sensor>_<quantity>
 *
 * Errors: a malformed or missing field throws a TypeError, a value outside
 * what Home Assistant allows (quantity, unit, decimals) or a duplicate entity
 * a RangeError; each names the field (`entities[1].unit`) and the value.
 */

import type { PublishOptions } from "../mqtt/client";
import { checkTopicName } from "../mqtt/topics";
import type { Quantity } from "../sensors/catalog";

export type { Quantity };

export interface DiscoveryEntity {
  /** The sensor's name, a topic level ("tmp102", "indoor"): [A-Za-z0-9_-]+. */
  sensor: string;
  /** Its chip ("sht3x"). */
  chip: string;
  quantity: Quantity;
  /** Where its readings are published. */
  stateTopic: string;
  /** Jinja template extracting the number: "{{ value_json.value }}" for JSON readings, "{{ value }}" for plain ones. */
  valueTemplate: string;
  /** A unit Home Assistant allows for the quantity's device class ("°C", "%", "Pa"). */
  unit: string;
  /** The sensor's own availability topic ("online"/"offline"), if it has one. */
  availabilityTopic?: string;
  /** suggested_display_precision: decimals Home Assistant shows. */
  decimals?: number;
}

export interface DiscoveryOptions {
  /** Home Assistant's discovery prefix, "homeassistant" unless changed there. */
  discoveryPrefix: string;
  /** Stable and unique per device (MAC-derived on boards): [A-Za-z0-9_-]+. */
  deviceId: string;
  deviceName: string;
  manufacturer: string;
  model: string;
  swVersion: string;
  /** The device's status topic: retained "online" after connecting, "offline" as the Will. */
  availabilityTopic: string;
  /** The device's configuration page: http://, https:// or homeassistant://. */
  configurationUrl?: string;
  /** Where to get help with this firmware (origin support_url): http:// or https://. */
  supportUrl?: string;
  entities: DiscoveryEntity[];
}

/** Publish retained at QoS 1 (PUBLISH_OPTIONS); an empty payload removes the entity. */
export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

/** How discovery messages are published: retained, so Home Assistant finds them after its own restart. */
export const PUBLISH_OPTIONS: Readonly<PublishOptions> = Object.freeze({ qos: 1, retain: true });

/** The origin's name: the application that sends the discovery messages. */
export const ORIGIN_NAME = "xs-sensor-firmware";

/** Each quantity's sensor device class and the units Home Assistant allows for it (sensor docs, "Device class"). */
export const DEVICE_CLASSES: Readonly<Record<Quantity, Readonly<{ deviceClass: string; units: readonly string[] }>>> = Object.freeze({
  temperature: Object.freeze({ deviceClass: "temperature", units: Object.freeze(["°C", "°F", "K"]) }),
  humidity: Object.freeze({ deviceClass: "humidity", units: Object.freeze(["%"]) }),
  pressure: Object.freeze({ deviceClass: "pressure", units: Object.freeze(["Pa", "kPa", "hPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"]) }),
});

/*
 * Ids: node_id and object_id in the discovery topic may hold only
 * [a-zA-Z0-9_-] (mqtt docs, "Discovery topic"); Home Assistant ignores a
 * message on any other topic. deviceId and sensor are refused, not
 * sanitised, when they hold anything else: they are also the unique_id,
 * which must never change, and a sanitiser would map distinct ids onto one
 * ("living room" and "living_room"), silently merging two devices' entities.
 * The caller derives a conforming id once (the MAC on boards); sensor names
 * from the sensors setting already conform.
 */
const ID = /^[A-Za-z0-9_-]+$/;
const TEMPLATE = /\{\{[\s\S]*\}\}/;
const CONFIGURATION_URL = /^(https?:\/\/[^\s/?#]+[^\s]*|homeassistant:\/\/[^\s]+)$/;
const SUPPORT_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/;

function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function text(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${field} must be a non-empty string, not ${shown(value)}`);
  return value;
}

function id(field: string, value: unknown): string {
  text(field, value);
  if (!ID.test(value as string))
    throw new TypeError(`${field} ${shown(value)} may hold only letters, digits, _ and - (Home Assistant's rule for discovery topic ids)`);
  return value as string;
}

function topic(field: string, value: unknown): string {
  return checkTopicName(field, value);
}

function quantity(field: string, value: unknown): Quantity {
  if (typeof value !== "string" || !Object.prototype.hasOwnProperty.call(DEVICE_CLASSES, value))
    throw new RangeError(`${field} must be one of ${Object.keys(DEVICE_CLASSES).join(", ")}, not ${shown(value)}`);
  return value as Quantity;
}

function url(field: string, value: unknown, pattern: RegExp, expected: string): string {
  if (typeof value !== "string" || !pattern.test(value)) throw new TypeError(`${field} must be ${expected}, not ${shown(value)}`);
  return value;
}

function checkPrefix(value: unknown): string {
  topic("discoveryPrefix", value);
  if ((value as string).split("/").some((level) => level.length === 0))
    throw new TypeError(`discoveryPrefix ${shown(value)} must not have empty levels (no leading, trailing or double /)`);
  return value as string;
}

function checkList(field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${field} must be an array`);
  return value;
}

function entityObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw new TypeError(`${field} must be an object`);
  return value as Record<string, unknown>;
}

/** Throws a RangeError naming the second of two entities for one sensor quantity. */
function checkDuplicates(entities: readonly { sensor: string; quantity: Quantity }[]): void {
  const seen = new Map<string, number>();
  entities.forEach((entity, index) => {
    const key = `${entity.sensor}_${entity.quantity}`;
    const first = seen.get(key);
    if (first !== undefined)
      throw new RangeError(`entities[${index}] repeats entities[${first}]: ${entity.sensor} ${entity.quantity} is listed twice`);
    seen.set(key, index);
  });
}

function configTopic(prefix: string, deviceId: string, sensor: string, quantity: Quantity): string {
  return `${prefix}/sensor/${deviceId}/${sensor}_${quantity}/config`;
}

/**
 * The entity id Home Assistant should give the entity at creation
 * (`default_entity_id`, which replaced the payload's `object_id` in Home
 * Assistant 2025.10; `object_id` is ignored since 2026.4). It must be a valid
 * entity id, `sensor.` and lower-case letters, digits and single underscores
 * inside, or the whole config is refused, so here, and only here, the ids are
 * sanitised: it is a suggestion at creation, never an identity, and Home
 * Assistant adds a suffix if two suggestions meet.
 */
function defaultEntityId(deviceId: string, sensor: string, quantity: Quantity): string {
  const slug = `${deviceId}_${sensor}_${quantity}`.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/_+/g, "_").replace(/^_|_$/g, "");
  return `sensor.${slug}`;
}

/**
 * The entity's name, without the device's: Home Assistant sets
 * has_entity_name on every MQTT entity and shows "<device name> <entity
 * name>". A device with one sensor names the quantity alone ("Temperature",
 * shown as "Living room Temperature"); with several, the sensor and the
 * quantity ("Indoor temperature"), in sentence case.
 */
function entityName(sensor: string, quantity: Quantity, oneSensor: boolean): string {
  const name = oneSensor ? quantity : `${sensor} ${quantity}`;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

interface CheckedEntity extends DiscoveryEntity {
  availabilityTopic: string | undefined;
  decimals: number | undefined;
}

function checkEntity(field: string, value: unknown, deviceAvailability: string): CheckedEntity {
  const entity = entityObject(field, value);
  const sensor = id(`${field}.sensor`, entity.sensor);
  const chip = text(`${field}.chip`, entity.chip);
  const q = quantity(`${field}.quantity`, entity.quantity);
  const stateTopic = topic(`${field}.stateTopic`, entity.stateTopic);
  const valueTemplate = text(`${field}.valueTemplate`, entity.valueTemplate);
  if (!TEMPLATE.test(valueTemplate))
    throw new TypeError(`${field}.valueTemplate ${shown(valueTemplate)} must be a template with {{ }}, e.g. "{{ value_json.value }}" or "{{ value }}"`);
  const unit = text(`${field}.unit`, entity.unit);
  const { deviceClass, units } = DEVICE_CLASSES[q];
  if (!units.includes(unit))
    throw new RangeError(`${field}.unit ${shown(unit)} is not a unit Home Assistant allows for device class ${deviceClass}: use ${units.join(", ")}`);
  let availabilityTopic: string | undefined;
  if (entity.availabilityTopic !== undefined) {
    availabilityTopic = topic(`${field}.availabilityTopic`, entity.availabilityTopic);
    if (availabilityTopic === deviceAvailability)
      throw new TypeError(`${field}.availabilityTopic ${shown(availabilityTopic)} is the device's availabilityTopic; give the sensor's own topic or none`);
  }
  let decimals: number | undefined;
  if (entity.decimals !== undefined) {
    if (typeof entity.decimals !== "number" || !Number.isSafeInteger(entity.decimals) || entity.decimals < 0)
      throw new RangeError(`${field}.decimals must be an integer of 0 or more, not ${shown(entity.decimals)}`);
    decimals = entity.decimals;
  }
  return { sensor, chip, quantity: q, stateTopic, valueTemplate, unit, availabilityTopic, decimals };
}

/** One retained config message per entity. Throws (see the file comment) before building any. */
export function discoveryMessages(options: DiscoveryOptions): DiscoveryMessage[] {
  if (typeof options !== "object" || options === null) throw new TypeError("discovery options must be an object");
  const prefix = checkPrefix(options.discoveryPrefix);
  const deviceId = id("deviceId", options.deviceId);
  const availability = topic("availabilityTopic", options.availabilityTopic);
  const device: Record<string, unknown> = {
    identifiers: [deviceId],
    name: text("deviceName", options.deviceName),
    manufacturer: text("manufacturer", options.manufacturer),
    model: text("model", options.model),
    sw_version: text("swVersion", options.swVersion),
  };
  if (options.configurationUrl !== undefined)
    device.configuration_url = url("configurationUrl", options.configurationUrl, CONFIGURATION_URL, "an http://, https:// or homeassistant:// URL");
  const origin: Record<string, unknown> = { name: ORIGIN_NAME, sw_version: device.sw_version };
  if (options.supportUrl !== undefined) origin.support_url = url("supportUrl", options.supportUrl, SUPPORT_URL, "an http:// or https:// URL");

  const entities = checkList("entities", options.entities).map((entity, index) => checkEntity(`entities[${index}]`, entity, availability));
  checkDuplicates(entities);
  const oneSensor = entities.every((entity) => entity.sensor === entities[0].sensor);

  return entities.map((entity) => {
    const { deviceClass } = DEVICE_CLASSES[entity.quantity];
    const topics = [availability];
    if (entity.availabilityTopic !== undefined) topics.push(entity.availabilityTopic);
    const config: Record<string, unknown> = {
      name: entityName(entity.sensor, entity.quantity, oneSensor),
      unique_id: `${deviceId}_${entity.sensor}_${entity.quantity}`,
      default_entity_id: defaultEntityId(deviceId, entity.sensor, entity.quantity),
      device_class: deviceClass,
      state_class: "measurement",
      unit_of_measurement: entity.unit,
    };
    if (entity.decimals !== undefined) config.suggested_display_precision = entity.decimals;
    config.state_topic = entity.stateTopic;
    config.value_template = entity.valueTemplate;
    // Readings are published at QoS 1; Home Assistant subscribes at QoS 0 unless told.
    config.qos = PUBLISH_OPTIONS.qos;
    config.availability = topics.map((t) => ({ topic: t, payload_available: "online", payload_not_available: "offline" }));
    // "all": unavailable while the device is offline or the sensor reports itself offline.
    config.availability_mode = "all";
    config.device = device;
    config.origin = origin;
    return { topic: configTopic(prefix, deviceId, entity.sensor, entity.quantity), payload: JSON.stringify(config) };
  });
}

/** Retained empty payloads that remove the entities (when discovery is switched off or a sensor goes away). */
export function removalMessages(
  options: Pick<DiscoveryOptions, "discoveryPrefix" | "deviceId">,
  entities: Pick<DiscoveryEntity, "sensor" | "quantity">[],
): DiscoveryMessage[] {
  if (typeof options !== "object" || options === null) throw new TypeError("discovery options must be an object");
  const prefix = checkPrefix(options.discoveryPrefix);
  const deviceId = id("deviceId", options.deviceId);
  const checked = checkList("entities", entities).map((value, index) => {
    const entity = entityObject(`entities[${index}]`, value);
    return { sensor: id(`entities[${index}].sensor`, entity.sensor), quantity: quantity(`entities[${index}].quantity`, entity.quantity) };
  });
  checkDuplicates(checked);
  return checked.map((entity) => ({ topic: configTopic(prefix, deviceId, entity.sensor, entity.quantity), payload: "" }));
}
