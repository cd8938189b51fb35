import { describe, expect, it } from '@jest/globals';
import {
  afterWrongPin,
  FORGET_FAILURES_AFTER,
  hashToken,
  LONGEST_WAIT,
  NO_ATTEMPTS,
  pinRetryAt,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  sessionActive,
  startSession,
  tokenFromBytes,
  touchSession,
  waitAfterFailures,
  type PinAttempts,
} from '../../../../src/core/teacher/auth';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const S = 1000;
const M = 60 * S;

describe('waitAfterFailures', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 30 * S],
    [4, 1 * M],
    [5, 2 * M],
    [6, 4 * M],
    [7, 8 * M],
    [8, 15 * M],
    [50, 15 * M],
  ])('after %i wrong PINs in a row the wait is %i ms', (failures, wait) => {
    expect(waitAfterFailures(failures)).toBe(wait);
  });

  it('never shrinks as failures grow, and is capped', () => {
    for (let n = 1; n < 30; n++) expect(waitAfterFailures(n + 1)).toBeGreaterThanOrEqual(waitAfterFailures(n));
    expect(waitAfterFailures(1000)).toBe(LONGEST_WAIT);
  });
});

describe('pinRetryAt', () => {
  const attempts = (failures: number, lastFailureAt: number | null): PinAttempts => ({ failures, lastFailureAt });

  it.each<[string, PinAttempts, number, number | null]>([
    ['no failures', NO_ATTEMPTS, T0, null],
    ['two failures: no wait', attempts(2, T0), T0, null],
    ['third failure: 30 s', attempts(3, T0), T0 + 10 * S, T0 + 30 * S],
    ['third failure, 30 s later: allowed', attempts(3, T0), T0 + 30 * S, null],
    ['fifth failure: 2 min', attempts(5, T0), T0 + 1 * M, T0 + 2 * M],
    ['tenth failure: 15 min', attempts(10, T0), T0, T0 + 15 * M],
    ['a day later: forgotten', attempts(10, T0), T0 + FORGET_FAILURES_AFTER, null],
    ['clock set back before the last failure: allowed at once', attempts(10, T0), T0 - 3 * 24 * 60 * M, null],
  ])('%s', (_name, state, now, expected) => {
    expect(pinRetryAt(state, now)).toBe(expected);
  });
});

describe('afterWrongPin', () => {
  it('counts wrong PINs in a row', () => {
    let state = NO_ATTEMPTS;
    state = afterWrongPin(state, T0);
    state = afterWrongPin(state, T0 + S);
    state = afterWrongPin(state, T0 + 2 * S);
    expect(state).toEqual({ failures: 3, lastFailureAt: T0 + 2 * S });
    expect(pinRetryAt(state, T0 + 2 * S)).toBe(T0 + 32 * S);
  });

  it('starts again after a day without a wrong PIN', () => {
    expect(afterWrongPin({ failures: 9, lastFailureAt: T0 }, T0 + FORGET_FAILURES_AFTER)).toEqual({ failures: 1, lastFailureAt: T0 + FORGET_FAILURES_AFTER });
  });

  it('keeps counting when the clock was set back', () => {
    expect(afterWrongPin({ failures: 5, lastFailureAt: T0 }, T0 - 10 * M)).toEqual({ failures: 6, lastFailureAt: T0 - 10 * M });
  });

  it('makes a guesser wait ever longer: 20 guesses take hours', () => {
    let state = NO_ATTEMPTS;
    let now = T0;
    for (let guess = 0; guess < 20; guess++) {
      now = pinRetryAt(state, now) ?? now;
      state = afterWrongPin(state, now);
    }
    expect(now - T0).toBeGreaterThan(3 * 60 * M);
  });
});

describe('unlock sessions', () => {
  it.each<[string, boolean, number]>([
    ['at the start', true, T0],
    ['just before the idle expiry', true, T0 + SESSION_IDLE_MS - 1],
    ['at the idle expiry', false, T0 + SESSION_IDLE_MS],
    ['with the clock set back before its start', false, T0 - 1],
  ])('a new session %s: active %s', (_name, active, now) => {
    expect(sessionActive(startSession('a'.repeat(64), T0), now)).toBe(active);
  });

  it('moves the idle expiry on with each use', () => {
    let session = startSession('a'.repeat(64), T0);
    session = touchSession(session, T0 + 4 * M);
    expect(session.expiresAt).toBe(T0 + 4 * M + SESSION_IDLE_MS);
    expect(sessionActive(session, T0 + 8 * M)).toBe(true);
  });

  it('never lasts beyond the maximum, however busy', () => {
    let session = startSession('a'.repeat(64), T0);
    for (let now = T0; now < T0 + SESSION_MAX_MS + 10 * M; now += M) {
      if (!sessionActive(session, now)) break;
      session = touchSession(session, now);
    }
    expect(session.expiresAt).toBe(T0 + SESSION_MAX_MS);
    expect(sessionActive(session, T0 + SESSION_MAX_MS)).toBe(false);
  });
});

describe('tokens', () => {
  it('are base64url of the random bytes', () => {
    const bytes = new Uint8Array(32).map((_, index) => index * 8);
    const token = tokenFromBytes(bytes);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toEqual(Buffer.from(bytes));
  });

  it('refuses too little randomness', () => {
    expect(() => tokenFromBytes(new Uint8Array(8))).toThrow(RangeError);
  });

  it('are kept as a SHA-256 hash', async () => {
    expect(await hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
