/*
 * Home Assistant MQTT discovery messages, checked against Home Assistant's
 * documented schema rather than against the module's own idea of it: the
 * table below is written from the docs, and every payload the module builds
 * must fit it exactly (no unknown keys, every type right, required keys
 * present).
 *
 *   https://www.home-assistant.io/integrations/mqtt/          discovery topic, payload, origin, availability
 *   https://www.home-assistant.io/integrations/sensor.mqtt/   sensor options, device map
 *   https://www.home-assistant.io/integrations/sensor/#device-class   units per device class
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEVICE_CLASSES,
  type DiscoveryEntity,
  type DiscoveryOptions,
  discoveryMessages,
  ORIGIN_NAME,
  PUBLISH_OPTIONS,
  removalMessages,
} from "../../../src/app/discovery";

// ---------------------------------------------------------------------------
// The schema, from the docs.

type FieldType =
  | "string" | "integer" | "template" | "topic"
  | { list: FieldType } | { oneOf: readonly string[] } | { map: Schema } | { listOrString: "string" };
interface Field { type: FieldType; required?: boolean }
type Schema = Readonly<Record<string, Field>>;

// sensor.mqtt, "device" (map): at least one of identifiers or connections.
const DEVICE: Schema = {
  configuration_url: { type: "string" },  // http://, https:// or homeassistant://
  connections: { type: { list: { list: "string" } } },
  hw_version: { type: "string" },
  identifiers: { type: { listOrString: "string" } },
  manufacturer: { type: "string" },
  model: { type: "string" },
  model_id: { type: "string" },
  name: { type: "string" },
  serial_number: { type: "string" },
  suggested_area: { type: "string" },
  sw_version: { type: "string" },
  via_device: { type: "string" },
};

// mqtt, "Adding information about the origin of a discovery message".
const ORIGIN: Schema = {
  name: { type: "string", required: true },
  sw_version: { type: "string" },
  support_url: { type: "string" },
};

// sensor.mqtt / mqtt "Using availability topics": each item of `availability`.
const AVAILABILITY_ITEM: Schema = {
  topic: { type: "topic", required: true },
  payload_available: { type: "string" },      // default "online"
  payload_not_available: { type: "string" },  // default "offline"
  value_template: { type: "template" },
};

// sensor.mqtt configuration variables this firmware may send (full names; the abbreviations are optional).
const SENSOR: Schema = {
  availability: { type: { list: { map: AVAILABILITY_ITEM } } },
  availability_mode: { type: { oneOf: ["all", "any", "latest"] } },
  default_entity_id: { type: "string" },  // replaced object_id (deprecated 2025.10, ignored since 2026.4)
  device: { type: { map: DEVICE } },
  device_class: { type: "string" },
  name: { type: "string" },
  origin: { type: { map: ORIGIN } },
  qos: { type: "integer" },
  state_class: { type: { oneOf: ["measurement", "measurement_angle", "total", "total_increasing"] } },
  state_topic: { type: "topic", required: true },
  suggested_display_precision: { type: "integer" },
  unique_id: { type: "string" },
  unit_of_measurement: { type: "string" },
  value_template: { type: "template" },
};

/** Every way `value` misfits `schema`, as "path: problem" lines. */
function misfits(value: unknown, schema: Schema, path = "payload"): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not an object`];
  const record = value as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(record)) {
    const field = schema[key];
    if (!field) out.push(`${path}.${key}: unknown key`);
    else out.push(...typeMisfits(record[key], field.type, `${path}.${key}`));
  }
  for (const [key, field] of Object.entries(schema))
    if (field.required && !(key in record)) out.push(`${path}.${key}: required, missing`);
  return out;
}

function typeMisfits(value: unknown, type: FieldType, path: string): string[] {
  if (type === "string") return typeof value === "string" ? [] : [`${path}: not a string`];
  if (type === "integer") return Number.isInteger(value) ? [] : [`${path}: not an integer`];
  if (type === "template") return typeof value === "string" && /\{\{[\s\S]*\}\}/.test(value) ? [] : [`${path}: not a template`];
  if (type === "topic") return typeof value === "string" && value.length > 0 && !/[+#\u0000]/.test(value) ? [] : [`${path}: not a topic name`];
  if ("oneOf" in type) return type.oneOf.includes(value as string) ? [] : [`${path}: ${JSON.stringify(value)} not one of ${type.oneOf.join(", ")}`];
  if ("map" in type) return misfits(value, type.map, path);
  if ("listOrString" in type) return typeof value === "string" ? [] : typeMisfits(value, { list: type.listOrString }, path);
  if (!Array.isArray(value)) return [`${path}: not a list`];
  return value.flatMap((item, index) => typeMisfits(item, type.list, `${path}[${index}]`));
}

/** Parses a payload and checks it against SENSOR, plus the rules the table cannot say. */
function checkPayload(payload: string): Record<string, unknown> {
  const config = JSON.parse(payload) as Record<string, unknown>;
  assert.deepEqual(misfits(config, SENSOR), []);
  // availability and availability_topic are exclusive; this firmware sends the list.
  assert.ok(!("availability_topic" in config));
  const device = config.device as Record<string, unknown>;
  assert.ok((device.identifiers as unknown[]).length > 0, "device needs identifiers or connections");
  assert.match(config.default_entity_id as string, HA_ENTITY_ID);
  assert.ok((config.qos as number) >= 0 && (config.qos as number) <= 2);
  return config;
}

// Home Assistant's valid entity id (homeassistant/core.py VALID_ENTITY_ID): cv.entity_id lower-cases, then matches this.
const HA_ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;
// mqtt docs, "Discovery topic": node_id and object_id are [a-zA-Z0-9_-].
const DISCOVERY_TOPIC = /^(.+)\/(sensor)\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\/config$/;

// ---------------------------------------------------------------------------
// Fixtures.

function entity(sensor: string, quantity: DiscoveryEntity["quantity"], extra: Partial<DiscoveryEntity> = {}): DiscoveryEntity {
  const unit = { temperature: "°C", humidity: "%", pressure: "Pa" }[quantity];
  return { sensor, chip: "bme280", quantity, stateTopic: `home/livingroom/${sensor}/${quantity}`, valueTemplate: "{{ value_json.value }}", unit, ...extra };
}

function options(entities: DiscoveryEntity[], extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return {
    discoveryPrefix: "homeassistant",
    deviceId: "a0b1c2d3e4f5",
    deviceName: "Living room",
    manufacturer: "Espressif",
    model: "ESP32 DevKitC",
    swVersion: "0.1.0",
    availabilityTopic: "home/livingroom/status",
    entities,
    ...extra,
  };
}

const SEVERAL = [
  entity("indoor", "temperature", { decimals: 2 }),
  entity("indoor", "humidity", { decimals: 2 }),
  entity("indoor", "pressure", { decimals: 1 }),
  entity("outdoor", "temperature", { chip: "ds18b20", decimals: 4, availabilityTopic: "home/livingroom/outdoor/status" }),
];

function configs(opts: DiscoveryOptions): Record<string, unknown>[] {
  return discoveryMessages(opts).map((message) => checkPayload(message.payload));
}

// ---------------------------------------------------------------------------

describe("Home Assistant discovery: topics and ids", () => {
  it("puts each entity at <prefix>/sensor/<deviceId>/<sensor>_<quantity>/config with ids HA accepts", () => {
    const messages = discoveryMessages(options(SEVERAL));
    assert.deepEqual(messages.map((m) => m.topic), [
      "homeassistant/sensor/a0b1c2d3e4f5/indoor_temperature/config",
      "homeassistant/sensor/a0b1c2d3e4f5/indoor_humidity/config",
      "homeassistant/sensor/a0b1c2d3e4f5/indoor_pressure/config",
      "homeassistant/sensor/a0b1c2d3e4f5/outdoor_temperature/config",
    ]);
    for (const message of messages) assert.match(message.topic, DISCOVERY_TOPIC);
  });

  it("gives stable unique ids <deviceId>_<sensor>_<quantity> and a valid default_entity_id", () => {
    const all = configs(options([...SEVERAL, entity("tmp102-48", "temperature")]));
    assert.deepEqual(all.map((c) => c.unique_id), [
      "a0b1c2d3e4f5_indoor_temperature", "a0b1c2d3e4f5_indoor_humidity", "a0b1c2d3e4f5_indoor_pressure",
      "a0b1c2d3e4f5_outdoor_temperature", "a0b1c2d3e4f5_tmp102-48_temperature",
    ]);
    assert.deepEqual(all.map((c) => c.default_entity_id), [
      "sensor.a0b1c2d3e4f5_indoor_temperature", "sensor.a0b1c2d3e4f5_indoor_humidity", "sensor.a0b1c2d3e4f5_indoor_pressure",
      "sensor.a0b1c2d3e4f5_outdoor_temperature", "sensor.a0b1c2d3e4f5_tmp102_48_temperature",
    ]);
    assert.ok(all.every((c) => !("object_id" in c)), "object_id is no longer read by Home Assistant");
  });

  it("sanitises only default_entity_id: upper case, hyphens and underscore runs become a valid entity id", () => {
    const [config] = configs(options([entity("Out--side_", "humidity")], { deviceId: "Dev_-ICE" }));
    assert.equal(config.default_entity_id, "sensor.dev_ice_out_side_humidity");
    assert.equal(config.unique_id, "Dev_-ICE_Out--side__humidity");
  });

  it("takes a custom, multi-level discovery prefix", () => {
    const [message] = discoveryMessages(options([entity("indoor", "temperature")], { discoveryPrefix: "ha/discovery" }));
    assert.equal(message.topic, "ha/discovery/sensor/a0b1c2d3e4f5/indoor_temperature/config");
  });

  it("publishes retained at QoS 1", () => {
    assert.deepEqual({ ...PUBLISH_OPTIONS }, { qos: 1, retain: true });
    assert.ok(Object.isFrozen(PUBLISH_OPTIONS));
  });
});

describe("Home Assistant discovery: payloads against the documented schema", () => {
  it("fits the sensor schema field by field, for every variant of the options", () => {
    const variants: DiscoveryOptions[] = [
      options(SEVERAL),
      options([entity("tmp102", "temperature")]),
      options([entity("tmp102", "temperature", { valueTemplate: "{{ value }}", decimals: 0 })], { configurationUrl: "https://sensor.local/", supportUrl: "https://example.org/help" }),
      options([entity("x", "pressure", { unit: "hPa", availabilityTopic: "home/x/status" })], { configurationUrl: "homeassistant://config/devices" }),
    ];
    let checked = 0;
    for (const variant of variants) checked += configs(variant).length;
    assert.equal(checked, 7);
  });

  it("the schema check itself catches unknown keys, wrong types and missing required keys", () => {
    assert.deepEqual(misfits({ state_topic: "a/b", object_idd: "x" }, SENSOR), ["payload.object_idd: unknown key"]);
    assert.deepEqual(misfits({ state_topic: "a/b", qos: "1" }, SENSOR), ["payload.qos: not an integer"]);
    assert.deepEqual(misfits({ name: "x" }, SENSOR), ["payload.state_topic: required, missing"]);
    assert.deepEqual(misfits({ state_topic: "a", availability: [{ topic: "s", payload_on: "1" }] }, SENSOR), ["payload.availability[0].payload_on: unknown key"]);
    assert.deepEqual(misfits({ state_topic: "a", origin: { sw_version: "1" } }, SENSOR), ["payload.origin.name: required, missing"]);
    assert.deepEqual(misfits({ state_topic: "a", availability_mode: "most" }, SENSOR), ['payload.availability_mode: "most" not one of all, any, latest']);
  });

  it("maps the three quantities to their device classes, state class measurement, and the given unit", () => {
    const all = configs(options(SEVERAL.slice(0, 3)));
    assert.deepEqual(all.map((c) => [c.device_class, c.state_class, c.unit_of_measurement]), [
      ["temperature", "measurement", "°C"],
      ["humidity", "measurement", "%"],
      ["pressure", "measurement", "Pa"],
    ]);
  });

  it("accepts every unit the sensor docs list for each device class", () => {
    // https://www.home-assistant.io/integrations/sensor/#device-class
    const documented = {
      temperature: ["°C", "°F", "K"],
      humidity: ["%"],
      pressure: ["Pa", "kPa", "hPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"],
    } as const;
    for (const [quantity, units] of Object.entries(documented) as [keyof typeof documented, readonly string[]][]) {
      assert.deepEqual([...DEVICE_CLASSES[quantity].units].sort(), [...units].sort());
      for (const unit of units) {
        const [config] = configs(options([entity("s", quantity, { unit })]));
        assert.equal(config.unit_of_measurement, unit);
        assert.equal(config.device_class, quantity);
      }
    }
    assert.ok(Object.isFrozen(DEVICE_CLASSES) && Object.isFrozen(DEVICE_CLASSES.pressure.units));
  });

  it("passes the JSON template and the plain template through unchanged", () => {
    const [json, plain] = configs(options([
      entity("a", "temperature"),
      entity("b", "temperature", { valueTemplate: "{{ value }}", stateTopic: "home/livingroom/b/raw" }),
    ]));
    assert.equal(json.value_template, "{{ value_json.value }}");
    assert.equal(json.state_topic, "home/livingroom/a/temperature");
    assert.equal(plain.value_template, "{{ value }}");
    assert.equal(plain.state_topic, "home/livingroom/b/raw");
  });

  it("lists the device's status topic, then the sensor's own, with mode all and online/offline", () => {
    const [bare, own] = configs(options([entity("a", "temperature"), entity("b", "temperature", { availabilityTopic: "home/livingroom/b/status" })]));
    assert.deepEqual(bare.availability, [{ topic: "home/livingroom/status", payload_available: "online", payload_not_available: "offline" }]);
    assert.deepEqual(own.availability, [
      { topic: "home/livingroom/status", payload_available: "online", payload_not_available: "offline" },
      { topic: "home/livingroom/b/status", payload_available: "online", payload_not_available: "offline" },
    ]);
    assert.equal(bare.availability_mode, "all");
    assert.equal(own.availability_mode, "all");
  });

  it("names entities without the device name: the quantity for a lone sensor, sensor and quantity otherwise", () => {
    assert.deepEqual(configs(options(SEVERAL)).map((c) => c.name), ["Indoor temperature", "Indoor humidity", "Indoor pressure", "Outdoor temperature"]);
    assert.deepEqual(configs(options(SEVERAL.slice(0, 3))).map((c) => c.name), ["Temperature", "Humidity", "Pressure"]);
    assert.deepEqual(configs(options([entity("tmp102", "temperature")])).map((c) => c.name), ["Temperature"]);
    for (const config of configs(options(SEVERAL))) assert.ok(!(config.name as string).includes("Living room"));
  });

  it("sends suggested_display_precision only when decimals are given, 0 included", () => {
    const [none, zero, four] = configs(options([entity("a", "temperature"), entity("b", "temperature", { decimals: 0 }), entity("c", "temperature", { decimals: 4 })]));
    assert.ok(!("suggested_display_precision" in none));
    assert.equal(zero.suggested_display_precision, 0);
    assert.equal(four.suggested_display_precision, 4);
  });

  it("describes the device and the origin, with configuration_url and support_url only when given", () => {
    const [plain] = configs(options([entity("a", "temperature")]));
    assert.deepEqual(plain.device, { identifiers: ["a0b1c2d3e4f5"], name: "Living room", manufacturer: "Espressif", model: "ESP32 DevKitC", sw_version: "0.1.0" });
    assert.deepEqual(plain.origin, { name: ORIGIN_NAME, sw_version: "0.1.0" });
    const [full] = configs(options([entity("a", "temperature")], { configurationUrl: "http://192.168.1.20/", supportUrl: "https://example.org/support" }));
    assert.equal((full.device as Record<string, unknown>).configuration_url, "http://192.168.1.20/");
    assert.deepEqual(full.origin, { name: ORIGIN_NAME, sw_version: "0.1.0", support_url: "https://example.org/support" });
  });

  it("asks Home Assistant to subscribe at QoS 1, the QoS the readings are published at", () => {
    for (const config of configs(options(SEVERAL))) assert.equal(config.qos, 1);
  });

  it("is pure: frozen input, the same output each time, and no entities gives no messages", () => {
    const deep = options(SEVERAL.map((e) => Object.freeze({ ...e })));
    Object.freeze(deep.entities);
    Object.freeze(deep);
    assert.deepEqual(discoveryMessages(deep), discoveryMessages(deep));
    assert.deepEqual(discoveryMessages(options([])), []);
  });
});

describe("Home Assistant discovery: removal", () => {
  it("sends a retained empty payload on each entity's config topic", () => {
    const removal = removalMessages({ discoveryPrefix: "homeassistant", deviceId: "a0b1c2d3e4f5" }, SEVERAL);
    assert.deepEqual(removal.map((m) => m.topic), discoveryMessages(options(SEVERAL)).map((m) => m.topic));
    assert.ok(removal.every((m) => m.payload === ""));
  });

  it("needs only sensor and quantity, and nothing for no entities", () => {
    assert.deepEqual(removalMessages({ discoveryPrefix: "ha", deviceId: "d" }, [{ sensor: "gone", quantity: "humidity" }]), [{ topic: "ha/sensor/d/gone_humidity/config", payload: "" }]);
    assert.deepEqual(removalMessages({ discoveryPrefix: "ha", deviceId: "d" }, []), []);
  });

  it("refuses bad ids, quantities and duplicates like discovery does", () => {
    const base = { discoveryPrefix: "homeassistant", deviceId: "dev" };
    assert.throws(() => removalMessages({ ...base, deviceId: "" }, []), { name: "TypeError", message: /^deviceId must be a non-empty string, not ""/ });
    assert.throws(() => removalMessages({ ...base, discoveryPrefix: "ha/#" }, []), { name: "TypeError", message: /^discoveryPrefix "ha\/#"/ });
    assert.throws(() => removalMessages(base, [{ sensor: "a.b", quantity: "humidity" }]), { name: "TypeError", message: /^entities\[0\]\.sensor "a\.b" may hold only/ });
    assert.throws(() => removalMessages(base, [{ sensor: "a", quantity: "co2" as "humidity" }]), { name: "RangeError", message: /^entities\[0\]\.quantity must be one of temperature, humidity, pressure, not "co2"/ });
    assert.throws(() => removalMessages(base, [{ sensor: "a", quantity: "humidity" }, { sensor: "a", quantity: "humidity" }]), { name: "RangeError", message: /^entities\[1\] repeats entities\[0\]/ });
    assert.throws(() => removalMessages(base, "a" as unknown as []), { name: "TypeError", message: /^entities must be an array/ });
  });
});

describe("Home Assistant discovery: validation", () => {
  const one = (extra: Partial<DiscoveryEntity>) => options([entity("indoor", "temperature", extra)]);
  const cases: [string, () => unknown, "TypeError" | "RangeError", RegExp][] = [
    ["options not an object", () => discoveryMessages(null as unknown as DiscoveryOptions), "TypeError", /^discovery options must be an object/],
    ["empty deviceId", () => discoveryMessages(options(SEVERAL, { deviceId: "" })), "TypeError", /^deviceId must be a non-empty string, not ""/],
    ["deviceId with a space", () => discoveryMessages(options(SEVERAL, { deviceId: "living room" })), "TypeError", /^deviceId "living room" may hold only letters, digits, _ and -/],
    ["deviceId with a slash", () => discoveryMessages(options(SEVERAL, { deviceId: "a/b" })), "TypeError", /^deviceId "a\/b" may hold only/],
    ["deviceId not ASCII", () => discoveryMessages(options(SEVERAL, { deviceId: "küche" })), "TypeError", /^deviceId "küche" may hold only/],
    ["empty discoveryPrefix", () => discoveryMessages(options(SEVERAL, { discoveryPrefix: "" })), "TypeError", /^discoveryPrefix "" must not be empty/],
    ["wildcard in discoveryPrefix", () => discoveryMessages(options(SEVERAL, { discoveryPrefix: "ha/+" })), "TypeError", /^discoveryPrefix "ha\/\+" must not contain the wildcards/],
    ["trailing / in discoveryPrefix", () => discoveryMessages(options(SEVERAL, { discoveryPrefix: "homeassistant/" })), "TypeError", /^discoveryPrefix "homeassistant\/" must not have empty levels/],
    ["empty deviceName", () => discoveryMessages(options(SEVERAL, { deviceName: "" })), "TypeError", /^deviceName must be a non-empty string, not ""/],
    ["missing manufacturer", () => discoveryMessages(options(SEVERAL, { manufacturer: undefined as unknown as string })), "TypeError", /^manufacturer must be a non-empty string, not undefined/],
    ["empty model", () => discoveryMessages(options(SEVERAL, { model: "" })), "TypeError", /^model must be a non-empty string, not ""/],
    ["empty swVersion", () => discoveryMessages(options(SEVERAL, { swVersion: "" })), "TypeError", /^swVersion must be a non-empty string, not ""/],
    ["empty availabilityTopic", () => discoveryMessages(options(SEVERAL, { availabilityTopic: "" })), "TypeError", /^availabilityTopic "" must not be empty/],
    ["wildcard in availabilityTopic", () => discoveryMessages(options(SEVERAL, { availabilityTopic: "home/#" })), "TypeError", /^availabilityTopic "home\/#" must not contain the wildcards/],
    ["configurationUrl not a URL", () => discoveryMessages(options(SEVERAL, { configurationUrl: "sensor.local" })), "TypeError", /^configurationUrl must be an http:\/\/, https:\/\/ or homeassistant:\/\/ URL, not "sensor.local"/],
    ["configurationUrl ftp", () => discoveryMessages(options(SEVERAL, { configurationUrl: "ftp://x/" })), "TypeError", /^configurationUrl must be/],
    ["supportUrl not http", () => discoveryMessages(options(SEVERAL, { supportUrl: "homeassistant://x" })), "TypeError", /^supportUrl must be an http:\/\/ or https:\/\/ URL/],
    ["entities not an array", () => discoveryMessages(options(undefined as unknown as [])), "TypeError", /^entities must be an array/],
    ["entity not an object", () => discoveryMessages(options([null as unknown as DiscoveryEntity])), "TypeError", /^entities\[0\] must be an object/],
    ["empty sensor", () => discoveryMessages(one({ sensor: "" })), "TypeError", /^entities\[0\]\.sensor must be a non-empty string, not ""/],
    ["sensor with a dot", () => discoveryMessages(one({ sensor: "tmp.102" })), "TypeError", /^entities\[0\]\.sensor "tmp\.102" may hold only letters, digits, _ and -/],
    ["empty chip", () => discoveryMessages(one({ chip: "" })), "TypeError", /^entities\[0\]\.chip must be a non-empty string, not ""/],
    ["unknown quantity", () => discoveryMessages(one({ quantity: "co2" as "temperature" })), "RangeError", /^entities\[0\]\.quantity must be one of temperature, humidity, pressure, not "co2"/],
    ["empty stateTopic", () => discoveryMessages(one({ stateTopic: "" })), "TypeError", /^entities\[0\]\.stateTopic "" must not be empty/],
    ["wildcard in stateTopic", () => discoveryMessages(one({ stateTopic: "home/+/t" })), "TypeError", /^entities\[0\]\.stateTopic "home\/\+\/t" must not contain the wildcards/],
    ["empty valueTemplate", () => discoveryMessages(one({ valueTemplate: "" })), "TypeError", /^entities\[0\]\.valueTemplate must be a non-empty string, not ""/],
    ["valueTemplate without {{ }}", () => discoveryMessages(one({ valueTemplate: "value_json.value" })), "TypeError", /^entities\[0\]\.valueTemplate "value_json\.value" must be a template with \{\{ \}\}/],
    ["empty unit", () => discoveryMessages(one({ unit: "" })), "TypeError", /^entities\[0\]\.unit must be a non-empty string, not ""/],
    ["unit of another class", () => discoveryMessages(one({ unit: "%" })), "RangeError", /^entities\[0\]\.unit "%" is not a unit Home Assistant allows for device class temperature: use °C, °F, K/],
    ["unit misspelt", () => discoveryMessages(options([entity("p", "pressure", { unit: "hpa" })])), "RangeError", /^entities\[0\]\.unit "hpa" is not a unit .* pressure: use Pa, kPa, hPa/],
    ["humidity in °C", () => discoveryMessages(options([entity("h", "humidity", { unit: "°C" })])), "RangeError", /^entities\[0\]\.unit "°C" .* humidity: use %/],
    ["empty sensor availabilityTopic", () => discoveryMessages(one({ availabilityTopic: "" })), "TypeError", /^entities\[0\]\.availabilityTopic "" must not be empty/],
    ["sensor availability = device's", () => discoveryMessages(one({ availabilityTopic: "home/livingroom/status" })), "TypeError", /^entities\[0\]\.availabilityTopic "home\/livingroom\/status" is the device's availabilityTopic/],
    ["negative decimals", () => discoveryMessages(one({ decimals: -1 })), "RangeError", /^entities\[0\]\.decimals must be an integer of 0 or more, not -1/],
    ["fractional decimals", () => discoveryMessages(one({ decimals: 1.5 })), "RangeError", /^entities\[0\]\.decimals must be an integer of 0 or more, not 1\.5/],
    ["decimals as text", () => discoveryMessages(one({ decimals: "2" as unknown as number })), "RangeError", /^entities\[0\]\.decimals must be an integer of 0 or more, not "2"/],
    ["duplicate entity", () => discoveryMessages(options([...SEVERAL, entity("indoor", "humidity")])), "RangeError", /^entities\[4\] repeats entities\[1\]: indoor humidity is listed twice/],
    ["second entity bad", () => discoveryMessages(options([entity("a", "temperature"), entity("b", "humidity", { unit: "g/m³" })])), "RangeError", /^entities\[1\]\.unit "g\/m³"/],
  ];
  for (const [label, call, name, message] of cases)
    it(`refuses ${label}`, () => assert.throws(call, (error: Error) => {
      assert.equal(error.name, name);
      assert.match(error.message, message);
      return true;
    }));
});
