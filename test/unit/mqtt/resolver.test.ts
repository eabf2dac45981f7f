/*
 * Host names (src/mqtt/resolver.ts): the look-up's contract on a virtual
 * clock with scripted resolvers, NetResolver over the simulators' `net`
 * module (sim/node/modules/net.ts, the hosts file and Node's resolver), and
 * the MQTT client connecting to a broker given by name.
 */

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import Net, { setHostsFile } from "../../../sim/node/modules/net";
import { LinkError } from "../../../src/mqtt/transport";
import { isHost, isIPv4Address, literalAddress, LocalNameResolver, NetResolver, type ResolveRequest, ResolveError, type ResolverOptions, resolveHost } from "../../../src/mqtt/resolver";
import { connect, setup, waitForSocket } from "../../helpers/client-harness";
import { FakeSocket } from "../../helpers/fake-socket";
import { realTimers } from "../../helpers/real-timers";
import { VirtualTimers } from "../../helpers/virtual-timers";

/** A resolver the test answers by hand; records what was asked and whether it was closed. */
class ScriptedResolver {
  static made: ScriptedResolver[] = [];
  static answer: ((request: ResolveRequest) => void) | undefined;
  readonly options: Record<string, unknown>;
  requests: ResolveRequest[] = [];
  closed = false;
  constructor(options: Record<string, unknown>) {
    this.options = options;
    ScriptedResolver.made.push(this);
  }
  resolve(request: ResolveRequest): void {
    this.requests.push(request);
    ScriptedResolver.answer?.(request);
  }
  close(): void {
    this.closed = true;
  }
}

const scripted: ResolverOptions = { io: ScriptedResolver, servers: ["192.0.2.53"] };

interface Outcome { address?: string; error?: ResolveError; calls: number }

function lookUp(host: string, timers: VirtualTimers, dns: ResolverOptions | null = scripted, timeoutMs = 5000) {
  const outcome: Outcome = { calls: 0 };
  const cancel = resolveHost({
    dns: dns ?? undefined, host, timers, timeoutMs,
    onResolved: (address) => { outcome.calls++; outcome.address = address; },
    onError: (error) => { outcome.calls++; outcome.error = error; },
  });
  return { outcome, cancel };
}

beforeEach(() => {
  ScriptedResolver.made = [];
  ScriptedResolver.answer = undefined;
});

describe("host names: which strings are hosts", () => {
  const hosts = ["broker.lan", "mqtt.example.com", "a", "xn--bcher-kva.example", "192.168.1.10", "my-broker"];
  const notHosts = ["", "-broker", "broker-", "bro ker", "broker.lan:1883", "256.0.0.1", "1.2.3", "127.1", "0x7f000001", "0x7f.1", "host.0X1f", "a..b", "broker.lan.", "ünï.example", "x".repeat(64)];
  for (const host of hosts) it(`${JSON.stringify(host)} is a host`, () => assert.ok(isHost(host)));
  for (const host of notHosts) it(`${JSON.stringify(host.slice(0, 20))} is not`, () => assert.ok(!isHost(host)));
  it("IPv4 addresses are told from names", () => {
    assert.ok(isIPv4Address("10.0.0.1"));
    assert.ok(!isIPv4Address("10.0.0.256"));
    assert.ok(!isIPv4Address("broker.lan"));
  });
  it("the addresses known without DNS: an address itself, and localhost in any case (RFC 6761)", () => {
    assert.equal(literalAddress("10.0.0.1"), "10.0.0.1");
    assert.equal(literalAddress("localhost"), "127.0.0.1");
    assert.equal(literalAddress("LocalHost"), "127.0.0.1");
    assert.equal(literalAddress("localhost.lan"), undefined);
    assert.equal(literalAddress("broker.lan"), undefined);
    assert.equal(literalAddress("10.0.0.256"), undefined);
  });
});

describe("host names: one look-up", () => {
  it("an IPv4 address passes through without a resolver, after the call returns", () => {
    const timers = new VirtualTimers();
    const { outcome } = lookUp("192.0.2.7", timers);
    assert.equal(outcome.calls, 0, "not from inside the call");
    timers.advance(0);
    assert.deepEqual(outcome, { calls: 1, address: "192.0.2.7" });
    assert.equal(ScriptedResolver.made.length, 0);
  });

  it("localhost is 127.0.0.1 without a resolver, after the call returns", () => {
    const timers = new VirtualTimers();
    const { outcome } = lookUp("LOCALHOST", timers, null);
    assert.equal(outcome.calls, 0, "not from inside the call");
    timers.advance(0);
    assert.deepEqual(outcome, { calls: 1, address: "127.0.0.1" });
  });

  it("a name is asked of a new resolver made with the dns options, which is closed after the answer", () => {
    const timers = new VirtualTimers();
    const { outcome } = lookUp("broker.lan", timers);
    const [resolver] = ScriptedResolver.made;
    assert.deepEqual(resolver.options, { servers: ["192.0.2.53"] }, "the options without io");
    assert.equal(resolver.requests[0].host, "broker.lan");
    resolver.requests[0].onResolved("broker.lan", "192.0.2.20");
    assert.deepEqual(outcome, { calls: 1, address: "192.0.2.20" });
    assert.ok(resolver.closed);
  });

  it("an answer given inside resolve() (a cached name) still arrives after the call returns", () => {
    ScriptedResolver.answer = (request) => request.onResolved(request.host, "192.0.2.21");
    const timers = new VirtualTimers();
    const { outcome } = lookUp("broker.lan", timers);
    assert.equal(outcome.calls, 0);
    timers.advance(0);
    assert.deepEqual(outcome, { calls: 1, address: "192.0.2.21" });
  });

  it("a name the resolver cannot find is a ResolveError naming it", () => {
    const timers = new VirtualTimers();
    const { outcome } = lookUp("nowhere.lan", timers);
    ScriptedResolver.made[0].requests[0].onError("nowhere.lan");
    assert.equal(outcome.calls, 1);
    assert.ok(outcome.error instanceof ResolveError);
    assert.equal(outcome.error.host, "nowhere.lan");
    assert.match(outcome.error.message, /host name "nowhere\.lan" not found/);
    assert.ok(ScriptedResolver.made[0].closed);
  });

  it("no answer within the time allowed is an error; a late answer is ignored", () => {
    const timers = new VirtualTimers();
    const { outcome } = lookUp("slow.lan", timers, scripted, 3000);
    timers.advance(2999);
    assert.equal(outcome.calls, 0);
    timers.advance(1);
    assert.match(outcome.error?.message ?? "", /no answer for host name "slow\.lan" within 3000 ms/);
    ScriptedResolver.made[0].requests[0].onResolved("slow.lan", "192.0.2.22");
    assert.equal(outcome.calls, 1);
    assert.ok(ScriptedResolver.made[0].closed);
  });

  it("an answer that is not an IPv4 address is an error, not a socket to nowhere", () => {
    const timers = new VirtualTimers();
    const { outcome } = lookUp("v6.lan", timers);
    ScriptedResolver.made[0].requests[0].onResolved("v6.lan", "2001:db8::1");
    assert.match(outcome.error?.message ?? "", /resolved to "2001:db8::1", which is not an IPv4 address/);
  });

  it("a resolver that throws is reported through onError, after the call returns", () => {
    ScriptedResolver.answer = () => { throw new Error("queue full"); };
    const timers = new VirtualTimers();
    const { outcome } = lookUp("busy.lan", timers);
    assert.equal(outcome.calls, 0);
    timers.advance(0);
    assert.match(outcome.error?.message ?? "", /cannot look up host name "busy\.lan": queue full/);
  });

  it("without a resolver a name is an error saying so", () => {
    const timers = new VirtualTimers();
    const { outcome } = lookUp("broker.lan", timers, null);
    timers.advance(0);
    assert.match(outcome.error?.message ?? "", /no DNS resolver/);
  });

  it("cancel: nothing is called, the resolver is closed, no timer is left", () => {
    const timers = new VirtualTimers();
    const { outcome, cancel } = lookUp("broker.lan", timers);
    cancel();
    ScriptedResolver.made[0].requests[0].onResolved("broker.lan", "192.0.2.20");
    timers.advance(10_000);
    assert.equal(outcome.calls, 0);
    assert.ok(ScriptedResolver.made[0].closed);
    assert.equal(timers.pending, 0);
  });
});

describe("host names: LocalNameResolver (multicast DNS for .local, as on Pico W)", () => {
  class Named extends ScriptedResolver {}
  class Multicast extends ScriptedResolver {}

  it("sends .local names (any case, with or without the root dot) to the local resolver and others to the names one, with their options", () => {
    const timers = new VirtualTimers();
    const dns: ResolverOptions = { io: LocalNameResolver, names: { io: Named, servers: ["192.0.2.53"] }, local: { io: Multicast, servers: [] } };
    const outcomes = ["homeassistant.local", "Printer.LOCAL.", "broker.lan", "local.example.com"].map((host) => {
      const outcome: Outcome = { calls: 0 };
      resolveHost({ dns, host, timers, timeoutMs: 1000, onResolved: (address) => { outcome.address = address; }, onError: (error) => { outcome.error = error; } });
      return outcome;
    });
    const asked = ScriptedResolver.made.map((resolver) => [resolver.constructor.name, resolver.requests[0].host, resolver.options.servers]);
    assert.deepEqual(asked, [
      ["Multicast", "homeassistant.local", []],
      ["Multicast", "Printer.LOCAL.", []],
      ["Named", "broker.lan", ["192.0.2.53"]],
      ["Named", "local.example.com", ["192.0.2.53"]],
    ]);
    ScriptedResolver.made[0].requests[0].onResolved("homeassistant.local", "192.168.1.20");
    assert.equal(outcomes[0].address, "192.168.1.20");
    assert.ok(ScriptedResolver.made[0].closed, "closing the look-up closes the resolver it used");
  });

  it("needs both resolvers", () => {
    assert.throws(() => new LocalNameResolver({ names: { io: Named } }), /needs names: \{io: Resolver\} and local/);
  });
});

describe("host names: NetResolver over the simulators' net module", () => {
  const folder = mkdtempSync(join(tmpdir(), "xs-sensor-dns-"));
  const hostsFile = join(folder, "hosts");
  after(() => setHostsFile(undefined));
  const dns: ResolverOptions = { io: NetResolver, net: Net };

  function resolveReal(host: string): Promise<Outcome> {
    return new Promise((done) => {
      const outcome: Outcome = { calls: 0 };
      resolveHost({
        dns, host, timers: realTimers, timeoutMs: 5000,
        onResolved: (address) => { outcome.calls++; outcome.address = address; done(outcome); },
        onError: (error) => { outcome.calls++; outcome.error = error; done(outcome); },
      });
    });
  }

  it("needs the net module", () => {
    assert.throws(() => new NetResolver({}), /NetResolver needs net/);
  });

  it("the hosts file answers first, and is read again at every look-up", async () => {
    writeFileSync(hostsFile, "# the simulated network\n127.0.0.1 broker.test other.test\n");
    setHostsFile(hostsFile);
    assert.equal((await resolveReal("broker.test")).address, "127.0.0.1");
    assert.equal((await resolveReal("OTHER.test")).address, "127.0.0.1", "names are case-insensitive");
    writeFileSync(hostsFile, "127.0.0.2 broker.test\n");
    assert.equal((await resolveReal("broker.test")).address, "127.0.0.2");
  });

  it("falls back to Node's resolver (localhost from /etc/hosts)", async () => {
    setHostsFile(hostsFile);
    assert.equal((await resolveReal("localhost")).address, "127.0.0.1");
  });

  it(".invalid names fail at once (RFC 6761)", async () => {
    const outcome = await resolveReal("no-such-broker.invalid");
    assert.match(outcome.error?.message ?? "", /"no-such-broker\.invalid" not found/);
  });

  it("an answer after close() goes nowhere", async () => {
    const resolver = new NetResolver({ net: Net });
    let called = false;
    resolver.resolve({ host: "localhost", onResolved: () => { called = true; }, onError: () => { called = true; } });
    resolver.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(called, false);
    assert.throws(() => resolver.resolve({ host: "localhost", onResolved: () => {}, onError: () => {} }), /closed/);
  });
});

describe("client: a broker given by host name", () => {
  beforeEach(() => FakeSocket.reset());

  it("looks the name up at every attempt and connects to the address it gets", () => {
    const addresses = ["192.0.2.30", "192.0.2.31"];
    ScriptedResolver.answer = (request) => request.onResolved(request.host, addresses.shift()!);
    const { client, timers, events } = setup({ address: undefined, host: "broker.lan", dns: scripted });
    client.start();
    assert.equal(FakeSocket.all.length, 0, "no socket before the answer");
    timers.advance(0);
    assert.equal(FakeSocket.last.options.address, "192.0.2.30");
    connect();
    assert.equal(events.connects.length, 1);
    FakeSocket.last.fail("broker went away");
    waitForSocket(timers, 60_000);
    assert.equal(ScriptedResolver.made.length, 2, "asked again for the reconnect");
    assert.equal(FakeSocket.last.options.address, "192.0.2.31", "the new address is used");
    assert.ok(ScriptedResolver.made.every((resolver) => resolver.closed));
    client.close();
  });

  it("host localhost needs no resolver: the socket goes to 127.0.0.1 at once", () => {
    const { client } = setup({ address: undefined, host: "localhost" });
    client.start();
    assert.equal(FakeSocket.last.options.address, "127.0.0.1");
    client.close();
  });

  it("a name that does not resolve is a LinkError \"dns\", then retried with backoff", () => {
    ScriptedResolver.answer = (request) => request.onError(request.host);
    const { client, timers, events } = setup({ address: undefined, host: "nowhere.lan", dns: scripted });
    client.start();
    timers.advance(0);
    assert.equal(events.errors.length, 1);
    const error = events.errors[0] as LinkError;
    assert.ok(error instanceof LinkError);
    assert.equal(error.reason, "dns");
    assert.match(error.message, /cannot connect to the broker: host name "nowhere\.lan" not found/);
    timers.advance(60_000);
    assert.ok(ScriptedResolver.made.length >= 2, "tried again");
    assert.equal(FakeSocket.all.length, 0);
    client.close();
  });

  it("close() during the look-up cancels it: no socket, no error, the resolver closed", () => {
    const { client, timers, events } = setup({ address: undefined, host: "broker.lan", dns: scripted });
    client.start();
    client.close();
    ScriptedResolver.made[0].requests[0].onResolved("broker.lan", "192.0.2.30");
    timers.advance(60_000);
    assert.equal(FakeSocket.all.length, 0);
    assert.deepEqual(events.errors, []);
    assert.ok(ScriptedResolver.made[0].closed);
  });

  it("bad broker options throw at construction", () => {
    assert.throws(() => setup({ address: undefined, host: "broker.lan" }), /is a name: give a DNS resolver as dns/);
    assert.throws(() => setup({ host: "broker.lan", dns: scripted }), /address .* or host .*, not both/);
    assert.throws(() => setup({ address: undefined }), /not both and not neither/);
    assert.throws(() => setup({ address: "broker.lan" }), /address must be the broker's IPv4 address/);
    assert.throws(() => setup({ address: undefined, host: "bro ker", dns: scripted }), /host must be a host name/);
    assert.throws(() => setup({ address: undefined, host: "broker.lan", dns: {} as ResolverOptions }), /dns must be \{io: Resolver/);
  });

  it("an IPv4 address as host connects at once, without a resolver", () => {
    const { client } = setup({ address: undefined, host: "192.0.2.40" });
    client.start();
    assert.equal(FakeSocket.last.options.address, "192.0.2.40");
    client.close();
  });
});
