/*
 * npm test's reading of node:test TAP reports (tools/tap-hangs.ts): which
 * files hung before any of their tests was reported, and so are run once
 * more. The reports below are what Node 20's runner wrote for real files:
 * one stuck at load (an await that never settles), one whose second test
 * never ends, one with a failing test and one that passes, all with
 * --test-timeout=2000.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readTapOutcome } from "../../tools/tap-hangs";

const REPORT = `TAP version 13
# Subtest: fails
not ok 1 - fails
  ---
  duration_ms: 1.942124
  location: '/t/bad.test.mjs:2:1'
  failureType: 'testCodeFailure'
  error: 'boom'
  code: 'ERR_TEST_FAILURE'
  stack: |-
    TestContext.<anonymous> (file:///t/bad.test.mjs:2:27)
  ...
# Subtest: /t/hang.test.mjs
not ok 2 - /t/hang.test.mjs
  ---
  duration_ms: 2003.411495
  location: '/t/hang.test.mjs:1:1'
  failureType: 'testTimeoutFailure'
  error: 'test timed out after 2000ms'
  code: 'ERR_TEST_FAILURE'
  ...
# Subtest: fine
ok 3 - fine
  ---
  duration_ms: 1.470434
  ...
# Subtest: first
ok 4 - first
  ---
  duration_ms: 2.017414
  location: '/t/slow.test.mjs:2:1'
  ...
# Subtest: /t/slow.test.mjs
not ok 4 - /t/slow.test.mjs
  ---
  duration_ms: 2000.915039
  location: '/t/slow.test.mjs:1:1'
  failureType: 'testTimeoutFailure'
  error: 'test timed out after 2000ms'
  code: 'ERR_TEST_FAILURE'
  ...
1..5
# tests 5
# pass 2
# fail 1
# cancelled 2
`;

describe("npm test: files that hung before any test", () => {
  it("a file that timed out with no test of its own reported is hung; one whose tests had started, and a failing test, are failures", () => {
    assert.deepEqual(readTapOutcome(REPORT), { hung: ["/t/hang.test.mjs"], failed: ["fails", "/t/slow.test.mjs"] });
  });

  it("a file that failed otherwise (no timeout) is a failure, not a hang", () => {
    const report = REPORT.replace("failureType: 'testTimeoutFailure'\n  error: 'test timed out after 2000ms'", "failureType: 'testCodeFailure'\n  error: 'SyntaxError'");
    assert.deepEqual(readTapOutcome(report).hung, []);
    assert.ok(readTapOutcome(report).failed.includes("/t/hang.test.mjs"));
  });

  it("a passing report has neither", () => {
    assert.deepEqual(readTapOutcome("TAP version 13\n# Subtest: fine\nok 1 - fine\n  ---\n  location: '/t/ok.test.mjs:2:1'\n  ...\n1..1\n"), { hung: [], failed: [] });
  });
});
