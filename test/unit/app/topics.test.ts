/*
 * The topic scheme (src/app/topics.ts): the fixed topics under
 * <topicPrefix>/<deviceId>, and readings with or without the sensor's name
 * depending on how many sensors the device has.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topicsFor } from "../../../src/app/topics";

describe("topics", () => {
  it("every fixed topic under <prefix>/<deviceId>", () => {
    const topics = topicsFor("home", "livingroom", 1);
    assert.deepEqual({ ...topics, reading: undefined, sensorAvailability: undefined, sensorError: undefined }, {
      base: "home/livingroom",
      status: "home/livingroom/status",
      state: "home/livingroom/state",
      command: "home/livingroom/command",
      commandReply: "home/livingroom/command/reply",
      config: "home/livingroom/config",
      configSet: "home/livingroom/config/set",
      configReply: "home/livingroom/config/reply",
      diagnostics: "home/livingroom/diagnostics",
      ota: "home/livingroom/ota",
      reading: undefined, sensorAvailability: undefined, sensorError: undefined,
    });
  });

  it("the fixed topics do not depend on the number of sensors", () => {
    const strings = (count: number) => Object.fromEntries(Object.entries(topicsFor("home", "kitchen", count)).filter(([, value]) => typeof value === "string"));
    assert.deepEqual(strings(1), strings(2));
    assert.deepEqual(strings(1), strings(5));
  });

  it("one sensor: readings directly under the base (the seed's home/livingroom/temperature)", () => {
    const topics = topicsFor("home", "livingroom", 1);
    assert.equal(topics.reading("tmp102", "temperature"), "home/livingroom/temperature");
    assert.equal(topics.reading("bme280", "pressure"), "home/livingroom/pressure");
  });

  it("several sensors: readings under the sensor's name", () => {
    const topics = topicsFor("home", "livingroom", 2);
    assert.equal(topics.reading("tmp102", "temperature"), "home/livingroom/tmp102/temperature");
    assert.equal(topics.reading("bme280", "temperature"), "home/livingroom/bme280/temperature");
    assert.equal(topics.reading("bme280", "humidity"), "home/livingroom/bme280/humidity");
    assert.notEqual(topics.reading("tmp102", "temperature"), topics.reading("bme280", "temperature"));
  });

  it("availability and errors always carry the sensor's name", () => {
    for (const count of [1, 2]) {
      const topics = topicsFor("home", "livingroom", count);
      assert.equal(topics.sensorAvailability("tmp102"), "home/livingroom/tmp102/availability");
      assert.equal(topics.sensorError("tmp102"), "home/livingroom/tmp102/error");
    }
  });

  it("a multi-level prefix is kept as given", () => {
    const topics = topicsFor("site/a/floor1", "dev-01", 1);
    assert.equal(topics.base, "site/a/floor1/dev-01");
    assert.equal(topics.configSet, "site/a/floor1/dev-01/config/set");
    assert.equal(topics.reading("tmp102", "temperature"), "site/a/floor1/dev-01/temperature");
  });

  it("is frozen: a topic cannot be changed by mistake", () => {
    const topics = topicsFor("home", "livingroom", 1);
    assert.ok(Object.isFrozen(topics));
    assert.throws(() => { (topics as { status: string }).status = "elsewhere"; }, TypeError);
  });
});
