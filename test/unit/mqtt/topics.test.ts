/*
 * Topic names, topic filters and matching (MQTT 3.1.1 section 4.7). The
 * matching examples are the standard's own (4.7.1.2, 4.7.1.3, 4.7.2, 4.7.3).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  checkTopicFilter, checkTopicName, describeTopicProblem, topicFilterProblem, topicMatches, topicNameProblem,
  type TopicProblem,
} from "../../../src/mqtt/topics";

describe("topicNameProblem (4.7.1-1, 4.7.3)", () => {
  const valid = ["a", "/", "//", "a/b/c", "/finance", "finance/", "$SYS/broker/uptime", "$", " ", "Accounts payable", "é/€/😀", "a".repeat(65535), "€".repeat(21845)];
  for (const name of valid) {
    it(`accepts ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}... (${name.length} units)` : name)}`, () => {
      assert.equal(topicNameProblem(name), undefined);
    });
  }

  const invalid: [string, TopicProblem][] = [
    ["", "empty"],
    ["a".repeat(65536), "too-long"],
    ["€".repeat(21846), "too-long"], // 65,538 bytes of UTF-8 in 21,846 units
    ["a\ud800", "lone-surrogate"],
    ["\udc00/a", "lone-surrogate"],
    ["a\u0000b", "null-character"],
    ["+", "wildcard-in-name"],
    ["#", "wildcard-in-name"],
    ["a/+/b", "wildcard-in-name"],
    ["a/#", "wildcard-in-name"],
    ["sport+", "wildcard-in-name"],
    ["a#b", "wildcard-in-name"],
  ];
  for (const [name, problem] of invalid) {
    it(`refuses ${JSON.stringify(name.slice(0, 12))}${name.length > 12 ? "..." : ""}: ${problem}`, () => {
      assert.equal(topicNameProblem(name), problem);
    });
  }
});

describe("topicFilterProblem (4.7.1-2, 4.7.1-3)", () => {
  const valid = [
    "#", "+", "a", "a/#", "a/+", "+/a", "+/+", "/+", "+/", "/#", "a/+/b", "+/+/#", "sport/tennis/player1/#",
    "sport/+/player1", "$SYS/#", "$SYS/+", "a//b", "a//#", "//", "é/+/😀", "f".repeat(65535),
  ];
  for (const filter of valid) {
    it(`accepts ${JSON.stringify(filter.length > 20 ? `${filter.slice(0, 8)}...` : filter)}`, () => {
      assert.equal(topicFilterProblem(filter), undefined);
    });
  }

  const invalid: [string, TopicProblem][] = [
    ["", "empty"],
    ["f".repeat(65536), "too-long"],
    ["\ud83d/#", "lone-surrogate"],
    ["a/\u0000", "null-character"],
    ["sport/tennis#", "misplaced-wildcard"], // 4.7.1.2 example
    ["sport/tennis/#/ranking", "misplaced-wildcard"], // 4.7.1.2 example
    ["sport+", "misplaced-wildcard"], // 4.7.1.3 example
    ["a+", "misplaced-wildcard"],
    ["+a", "misplaced-wildcard"],
    ["a/b+/c", "misplaced-wildcard"],
    ["++", "misplaced-wildcard"],
    ["+#", "misplaced-wildcard"],
    ["#+", "misplaced-wildcard"],
    ["##", "misplaced-wildcard"],
    ["#/", "misplaced-wildcard"],
    ["#/a", "misplaced-wildcard"],
    ["a#", "misplaced-wildcard"],
    ["a/#/", "misplaced-wildcard"],
  ];
  for (const [filter, problem] of invalid) {
    it(`refuses ${JSON.stringify(filter.slice(0, 24))}${filter.length > 24 ? "..." : ""}: ${problem}`, () => {
      assert.equal(topicFilterProblem(filter), problem);
    });
  }
});

describe("checkTopicName, checkTopicFilter, describeTopicProblem", () => {
  it("return the value when valid", () => {
    assert.equal(checkTopicName("f", "a/b"), "a/b");
    assert.equal(checkTopicFilter("f", "a/+/#"), "a/+/#");
  });

  it("throw TypeError naming the field for each problem", () => {
    const cases: [() => unknown, string][] = [
      [() => checkTopicName("publish.topic", ""), "publish.topic"],
      [() => checkTopicName("publish.topic", "a/#"), "publish.topic"],
      [() => checkTopicName("will.topic", 42), "will.topic"],
      [() => checkTopicFilter("sub[3]", "a#"), "sub[3]"],
      [() => checkTopicFilter("sub[3]", undefined), "sub[3]"],
      [() => checkTopicFilter("sub[0]", "x\u0000"), "sub[0]"],
    ];
    for (const [fn, field] of cases) {
      assert.throws(fn, (error: unknown) => error instanceof TypeError && error.message.startsWith(field));
    }
  });

  it("shows long values shortened, with the reason", () => {
    const message = describeTopicProblem("publish.topic", "x".repeat(100) + "#", "wildcard-in-name");
    assert.ok(message.startsWith(`publish.topic "${"x".repeat(61)}..."`), message);
    assert.match(message, /wildcards/);
    assert.equal(describeTopicProblem("f", "a+", "misplaced-wildcard").startsWith('f "a+" '), true);
  });
});

describe("topicMatches (4.7)", () => {
  const cases: [filter: string, name: string, expected: boolean][] = [
    // 4.7.1.2 multi-level wildcard
    ["sport/tennis/player1/#", "sport/tennis/player1", true],
    ["sport/tennis/player1/#", "sport/tennis/player1/ranking", true],
    ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true],
    ["sport/tennis/player1/#", "sport/tennis/player2", false],
    ["sport/tennis/player1/#", "sport/tennis", false],
    ["sport/#", "sport", true], // "#" also matches the parent level
    ["a/#", "a", true],
    ["a/#", "a/", true],
    ["a/#", "ab", false],
    ["a/b/#", "a", false],
    ["#", "a", true],
    ["#", "/", true],
    ["#", "a/b/c", true],
    ["/#", "/", true],
    ["/#", "a", false],
    // 4.7.1.3 single-level wildcard
    ["sport/tennis/+", "sport/tennis/player1", true],
    ["sport/tennis/+", "sport/tennis/player2", true],
    ["sport/tennis/+", "sport/tennis/player1/ranking", false],
    ["sport/+", "sport", false],
    ["sport/+", "sport/", true], // "+" matches an empty level
    ["+/+", "/finance", true],
    ["/+", "/finance", true],
    ["+", "/finance", false],
    ["+", "finance", true],
    ["+/b", "/b", true],
    ["a/+/c", "a//c", true],
    ["+/+", "/", true],
    ["+", "/", false],
    ["+/+/+", "a/b", false],
    ["sport/+/player1", "sport/tennis/player1", true],
    ["sport/+/player1", "sport/tennis/player2", false],
    ["+/tennis/#", "sport/tennis", true],
    ["+/tennis/#", "sport/tennis/player1/score", true],
    ["+/#", "a", true],
    // 4.7.2 topics beginning with $: not matched by a leading wildcard (4.7.2-1)
    ["#", "$SYS", false],
    ["#", "$SYS/monitor/Clients", false],
    ["+/monitor/Clients", "$SYS/monitor/Clients", false],
    ["+", "$", false],
    ["+/#", "$SYS/x", false],
    ["$SYS/#", "$SYS/monitor/Clients", true],
    ["$SYS/#", "$SYS", true],
    ["$SYS/monitor/+", "$SYS/monitor/Clients", true],
    ["$SYS/+", "$SYS/", true],
    ["a/+", "a/$b", true], // "$" only matters at the start of the name
    ["a/#", "a/$b/c", true],
    ["$", "$", true],
    // 4.7.3 names are compared exactly: case, spaces, slashes, Unicode
    ["ACCOUNTS", "Accounts", false],
    ["Accounts payable", "Accounts payable", true],
    ["/finance", "finance", false],
    ["finance/", "finance", false],
    ["finance", "finance/", false],
    ["a//b", "a/b", false],
    ["a/b", "a/bc", false],
    ["a/bc", "a/b", false],
    ["ab/c", "a/c", false],
    ["é/+", "é/😀", true],
    ["€", "\u20ac", true],
    ["e\u0301", "\u00e9", false], // no Unicode normalization (1.5.3)
  ];
  for (const [filter, name, expected] of cases) {
    it(`${JSON.stringify(filter)} ${expected ? "matches" : "does not match"} ${JSON.stringify(name)}`, () => {
      assert.equal(topicFilterProblem(filter), undefined);
      assert.equal(topicNameProblem(name), undefined);
      assert.equal(topicMatches(filter, name), expected);
    });
  }

  it("a filter without wildcards matches exactly its own name", () => {
    for (const name of ["a", "/", "a/b", "$SYS/x", "x//y/", "😀"]) {
      assert.equal(topicMatches(name, name), true);
      assert.equal(topicMatches(name, name + "x"), false);
      assert.equal(topicMatches(name + "x", name), false);
    }
  });
});
