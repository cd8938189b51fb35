/**
 * Live delivery's pure parts: the socket address, reconnect backoff with
 * full jitter (and what it does for a class whose host comes back), the
 * heartbeat, frames, and the rule that over the socket a document at or
 * below the one held is dropped without a word.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { signClassDocument, verifyClassDocument, type PublicKeyJwk, type VerifyResult } from '../../../../src/core/feed/document';
import { NO_FOLLOW, afterFetch, knownBody, type AcceptedDocument, type FetchOutcome } from '../../../../src/core/feed/follow';
import { shortDigest } from '../../../../src/core/feed/format';
import {
  FRESH_HEARTBEAT,
  HEARTBEAT_MS,
  RECONNECT_FIRST_MS,
  RECONNECT_MAX_MS,
  afterLiveFrame,
  binaryOutcome,
  closeReason,
  dropSilently,
  frameOf,
  heard,
  heartbeatDue,
  liveUrl,
  reconnectCeiling,
  reconnectDelay,
  type Heartbeat,
} from '../../../../src/core/feed/live';
import { exportJWK } from 'jose';

const MIN = 60_000;
const NOW = Date.UTC(2026, 2, 10, 9, 0);

/** A deterministic generator in [0, 1) (mulberry32), so the distribution tests measure the same thing every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('liveUrl', () => {
  it.each([
    ['https://feed.school.nl/feed/2B.jws', 'wss://feed.school.nl/feed/2B.jws'],
    ['http://127.0.0.1:8080/feed/2B.jws', 'ws://127.0.0.1:8080/feed/2B.jws'],
    ['https://feed.school.nl:8443/klas/2%20B.jws?x=1', 'wss://feed.school.nl:8443/klas/2%20B.jws?x=1'],
    ['https://feed.school.nl/feed/2B.jws#part', 'wss://feed.school.nl/feed/2B.jws'],
    ['ftp://feed.school.nl/2B.jws', null],
    ['file:///srv/feed/2B.jws', null],
    ['not a url', null],
  ])('%s → %s', (feedUrl, expected) => {
    expect(liveUrl(feedUrl)).toBe(expected);
  });
});

describe('reconnect backoff', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [5, 32_000],
    [6, 60_000],
    [7, 60_000],
    [1000, 60_000],
  ])('after %i failures the wait is at most %i ms', (failures, ceiling) => {
    expect(reconnectCeiling(failures)).toBe(ceiling);
    expect(reconnectDelay(failures, 0)).toBe(0);
    expect(reconnectDelay(failures, 0.999_999)).toBeLessThan(ceiling);
    expect(reconnectDelay(failures, 0.999_999)).toBeGreaterThan(ceiling * 0.99);
    expect(reconnectDelay(failures, 0.5)).toBe(ceiling / 2);
  });

  it('starts at 1 s and stops doubling at 60 s', () => {
    expect(RECONNECT_FIRST_MS).toBe(1000);
    expect(RECONNECT_MAX_MS).toBe(60_000);
  });

  it('is full jitter: the waits spread evenly over the whole window', () => {
    const random = seeded(7);
    const waits = Array.from({ length: 10_000 }, () => reconnectDelay(4, random()));
    const buckets = [0, 0, 0, 0];
    for (const wait of waits) buckets[Math.floor(wait / 4000)]! += 1;
    // 16 s window in four 4 s quarters, 2,500 expected in each.
    for (const count of buckets) expect(Math.abs(count - 2500)).toBeLessThan(250);
    expect(Math.min(...waits)).toBeLessThan(50);
    expect(Math.max(...waits)).toBeGreaterThan(15_900);
  });

  /**
   * 30 students lose their host at once (it stops at 0) and each retries
   * on its own schedule until the host is back; when does each get in? The
   * busiest 100 ms window must hold only a few of them.
   */
  function reconnectTimes(students: number, hostDownMs: number, random: () => number): number[] {
    return Array.from({ length: students }, () => {
      let at = 0;
      let failures = 0;
      for (;;) {
        at += reconnectDelay(failures, random());
        if (at >= hostDownMs) return at;
        failures += 1;
      }
    });
  }

  function busiest(times: number[], windowMs: number): number {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (let start = 0, end = 0; end < sorted.length; end += 1) {
      while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  it.each([
    [5_000, 1],
    [20_000, 2],
    [60_000, 3],
    [300_000, 4],
  ])('30 students whose host is back after %i ms do not all come back in the same 100 ms (seed %i)', (downMs, seed) => {
    const times = reconnectTimes(30, downMs, seeded(seed));
    expect(busiest(times, 100)).toBeLessThanOrEqual(5);
    // And every one of them is back within a minute of the host.
    expect(Math.max(...times)).toBeLessThanOrEqual(downMs + RECONNECT_MAX_MS);
  });

  it('without jitter they would all come back at once (the test can tell)', () => {
    const times = reconnectTimes(30, 20_000, () => 0.5);
    expect(busiest(times, 100)).toBe(30);
  });
});

describe('heartbeat', () => {
  it('pings every time while answers come, and gives the socket up after two unanswered', () => {
    let beat: Heartbeat = FRESH_HEARTBEAT;
    const actions: string[] = [];
    for (const answered of [true, true, false, true, false, false]) {
      const due = heartbeatDue(beat);
      actions.push(due.action);
      beat = answered ? heard() : due.next;
    }
    const last = heartbeatDue(beat);
    expect([...actions, last.action]).toEqual(['ping', 'ping', 'ping', 'ping', 'ping', 'ping', 'dead']);
  });

  it('a frame of any kind counts as an answer', () => {
    const twice = heartbeatDue(heartbeatDue(FRESH_HEARTBEAT).next).next;
    expect(heartbeatDue(twice).action).toBe('dead');
    expect(heartbeatDue(heard()).action).toBe('ping');
  });

  it('beats every 20 s, inside the 30 s Chrome allows an idle worker', () => {
    expect(HEARTBEAT_MS).toBe(20_000);
  });
});

describe('frames', () => {
  it.each([
    ['pong', { kind: 'pong' }],
    ['ping', { kind: 'document', body: 'ping' }],
    ['a.b.c\n', { kind: 'document', body: 'a.b.c' }],
    ['', { kind: 'document', body: '' }],
    [{ bytes: 12 }, { kind: 'binary', bytes: 12 }],
  ])('%j is %j', (data, frame) => {
    expect(frameOf(data as string | { bytes: number })).toEqual(frame);
  });

  it('a binary frame is refused as not a class document', () => {
    expect(binaryOutcome(5)).toMatchObject({ kind: 'document', verdict: { ok: false, reason: 'malformed' } });
  });

  it.each([
    [1001, 'restart', true, /going away, 1001\): restart/],
    [1006, '', true, /dropped \(1006/],
    [1011, '', true, /closed \(1011\)/],
    [1006, '', false, /did not open a live connection/],
  ])('close %i %j (opened %s) is worded for IT', (code, reason, opened, words) => {
    expect(closeReason(code, reason, opened)).toMatch(words);
  });
});

describe('documents over the socket', () => {
  let privateKey: CryptoKey;
  let publicKey: PublicKeyJwk;
  const trust = 'trust-1';

  beforeAll(async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    privateKey = pair.privateKey;
    const jwk = await exportJWK(pair.publicKey);
    publicKey = { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
  });

  const sign = async (issuedAt: number): Promise<string> =>
    (await signClassDocument({ class: '2B', issuedAt, lesson: null, pause: { message: 'Kijk even op', startsAt: issuedAt, until: issuedAt + 5 * MIN } }, privateKey, 'devries')).jws;

  const verify = (jws: string, lastIssuedAt: number | null): Promise<VerifyResult> =>
    verifyClassDocument(jws, { trustedKeys: [{ id: 'devries', publicKey }], classId: '2B', lastIssuedAt, now: NOW });

  async function held(issuedAt: number): Promise<AcceptedDocument> {
    const jws = await sign(issuedAt);
    const verdict = await verify(jws, null);
    if (!verdict.ok) throw new Error(verdict.detail);
    return { jws, document: verdict.document, acceptedAt: NOW, signer: verdict.signer };
  }

  const polled = { ...NO_FOLLOW, lastFetchAt: NOW - MIN, lastOutcome: 'unchanged' as const, etag: '"v3"', trust };

  it('a newer document is accepted, and the poll keeps its ETag and last fetch', async () => {
    const jws = await sign(NOW);
    const outcome: FetchOutcome = { kind: 'document', body: jws, etag: null, verdict: await verify(jws, NOW - MIN) };
    const result = afterLiveFrame(polled, outcome, trust, NOW);
    expect(result?.accept?.document.issuedAt).toBe(NOW);
    expect(result?.follow).toMatchObject({ lastOutcome: 'accepted', lastFetchAt: NOW - MIN, etag: '"v3"', rejections: 0 });
  });

  it.each([
    ['older than', -MIN],
    ['as old as', 0],
  ])('a document %s the one held is dropped silently, though polling would count it', async (_what, offset) => {
    const current = await held(NOW - 10_000);
    const jws = await sign(NOW - 10_000 + offset);
    const verdict = (knownBody(jws, current, polled, trust) ?? (await verify(jws, current.document.issuedAt))) as VerifyResult | 'same-as-accepted';
    const outcome: FetchOutcome = { kind: 'document', body: jws, etag: null, verdict };
    expect(dropSilently(outcome)).toBe(true);
    expect(afterLiveFrame(polled, outcome, trust, NOW)).toBeNull();
    // The same document fetched is a different matter: a replay counted (or, the same one, unchanged).
    const fetched = afterFetch(polled, { ...outcome, etag: '"v4"' }, trust, NOW);
    expect(fetched.accept).toBeNull();
    if (offset < 0) expect(fetched.follow.rejections).toBe(1);
  });

  it.each([
    ['not a class document', 'hello', 'malformed'],
    ['over 64 KB', `${'a'.repeat(70_000)}.b.c`, 'oversized'],
  ])('a frame that is %s is refused and counted, and changes nothing', async (_what, body, reason) => {
    const outcome: FetchOutcome = { kind: 'document', body, etag: null, verdict: await verify(body, NOW - MIN) };
    expect(dropSilently(outcome)).toBe(false);
    const result = afterLiveFrame(polled, outcome, trust, NOW);
    expect(result?.accept).toBeNull();
    expect(result?.follow).toMatchObject({ lastOutcome: 'rejected', rejections: 1, lastRejection: { reason, digest: shortDigest(body) }, etag: '"v3"' });
  });

  it('a document signed by a key the policy does not list is refused and counted, even when older', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const { jws } = await signClassDocument({ class: '2B', issuedAt: NOW - 5 * MIN, lesson: null }, pair.privateKey, 'stranger');
    const outcome: FetchOutcome = { kind: 'document', body: jws, etag: null, verdict: await verify(jws, NOW - MIN) };
    const result = afterLiveFrame(polled, outcome, trust, NOW);
    expect(result?.follow).toMatchObject({ rejections: 1, lastRejection: { reason: 'unknown-key' } });
  });

  it('the same refused document again (a reconnect sends it anew) is not counted twice', async () => {
    const first = afterLiveFrame(polled, { kind: 'document', body: 'junk', etag: null, verdict: await verify('junk', null) }, trust, NOW)!;
    const again = afterLiveFrame(first.follow, { kind: 'document', body: 'junk', etag: null, verdict: knownBody('junk', undefined, first.follow, trust)! }, trust, NOW + 1000)!;
    expect(again.follow.rejections).toBe(1);
  });

  it('an ETag stored under other trusted keys is not kept', async () => {
    const outcome: FetchOutcome = { kind: 'document', body: 'junk', etag: null, verdict: await verify('junk', null) };
    expect(afterLiveFrame({ ...polled, trust: 'old-keys' }, outcome, trust, NOW)?.follow.etag).toBeNull();
  });
});
