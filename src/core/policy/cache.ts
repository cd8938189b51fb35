/**
 * The last-good policy cache, decided purely.
 *
 * Managed storage can take seconds to answer on a cold start (about 3 s in
 * Chromium), so the rules flow never waits for it: it applies the last valid
 * policy from storage.local at once, and the background refreshes that cache
 * whenever the browser answers. Two decisions live here, each a table in the
 * tests:
 *
 * - `policyUpdate`: given what managed storage answered, what is stored and
 *   the time, what to write. An invalid policy never half-applies (the last
 *   good one stays), a failed read changes nothing in force, and nothing is
 *   written when nothing changed: every write re-runs the rules flow.
 * - `policyInForce`: given what is stored, the policy to enforce now, where
 *   it came from, and notes about stored values that were corrupt. A corrupt
 *   cache never bricks anything: it gives "no policy" with a note until the
 *   next read of managed storage replaces it.
 *
 * Both validate with `parse` (parsePolicy unless the caller passes one that
 * remembers its results: the background validates a 50,000-entry policy
 * once per version, not on every call).
 */
import { z } from 'zod';
import { EMPTY_POLICY, parsePolicy, type Policy, type PolicyProblem, type PolicyResult } from './policy';
import { PolicyCacheSchema, PolicyStatusSchema, type PolicyCache } from '../state';

/** What the browser's managed storage answered. */
export type ManagedRead =
  /** A policy for Lesmodus, as IT wrote it (not yet validated). */
  | { readonly kind: 'found'; readonly raw: Record<string, unknown> }
  /** The browser has no policy for Lesmodus: IT pushed none, or removed it. */
  | { readonly kind: 'none' }
  /** The read failed (a broken Firefox managed-storage manifest, a browser error): nothing is known. */
  | { readonly kind: 'error'; readonly message: string };

/**
 * The outcome of the last read of managed storage, kept in storage.local
 * (`policyStatus`). state.ts's shape plus `readError`; values stored before
 * `readError` existed still parse.
 */
const PolicyCheckSchema = PolicyStatusSchema.extend({
  /** Set when the last read failed; `found` and `errors` then still describe the read before it. */
  readError: z.string().max(1000).optional(),
});
export type PolicyCheck = z.infer<typeof PolicyCheckSchema>;

/**
 * How stale `checkedAt` may grow before an otherwise unchanged check is
 * written again. Every service-worker start reads managed storage; writing
 * each time would re-run the rules flow for nothing. The status page's "last
 * checked" is therefore exact when something changed, and at most this old
 * otherwise.
 */
export const CHECK_RECORD_MS = 10 * 60_000;

/** What is in storage.local, exactly as read: either value may be missing or corrupt. */
export interface StoredPolicy {
  readonly cache: unknown;
  readonly status: unknown;
}

/** What to change in storage.local; an empty update writes nothing. */
interface PolicyUpdate {
  /** A new cache to write (a valid policy that differs from the cached one). */
  readonly cache?: PolicyCache;
  /** True when the stored cache is to be removed (IT removed the policy, or the cache is unusable). */
  readonly removeCache: boolean;
  /** A new check to write. */
  readonly status?: PolicyCheck;
}

/** Validates a policy as IT wrote it: parsePolicy, or a caller's remembering wrapper of it. */
type PolicyParser = (raw: unknown) => PolicyResult;

/**
 * The policy of a well-formed stored cache, as stored rather than zod's copy
 * of it: a parser that remembers the policies it has seen by their object
 * then knows it without serialising a 50,000-entry list.
 */
function storedRaw(stored: unknown): unknown {
  return (stored as { readonly raw: unknown }).raw;
}

/** The stored cache when it is well-formed and its policy still validates; null otherwise. */
function usableCache(stored: unknown, parse: PolicyParser): { cache: PolicyCache; policy: Policy } | null {
  const cache = PolicyCacheSchema.safeParse(stored);
  if (!cache.success) return null;
  const parsed = parse(storedRaw(stored));
  return parsed.ok ? { cache: cache.data, policy: parsed.policy } : null;
}

/**
 * Equal JSON values, whatever order the browser lists an object's fields in.
 * Compared field by field: a 50,000-entry policy is walked once, not
 * serialised twice.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index += 1) if (!sameJson(a[index], b[index])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  if (keys.length !== Object.keys(right).filter((key) => right[key] !== undefined).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && sameJson(left[key], right[key]));
}

function sameCheck(a: PolicyCheck, b: PolicyCheck): boolean {
  return a.found === b.found && (a.readError ?? null) === (b.readError ?? null) && sameJson(a.errors, b.errors);
}

/**
 * What to store after a read of managed storage at `now`.
 *
 * | read               | cache                         | status                          |
 * | ------------------ | ----------------------------- | ------------------------------- |
 * | valid policy       | written when it differs       | found, no errors                |
 * | invalid policy     | kept (the last good)          | found, every error with its path |
 * | none               | removed: IT removed it        | not found                       |
 * | read error         | kept                          | previous outcome + readError    |
 *
 * A cache that is corrupt or no longer validates is never "the last good
 * one": a valid policy replaces it even when it is the same policy, and
 * otherwise it is removed. The status is written only when the outcome
 * changed, the cache changed, or the last record is older than CHECK_RECORD_MS.
 */
export function policyUpdate(read: ManagedRead, stored: StoredPolicy, now: number, parse: PolicyParser = parsePolicy): PolicyUpdate {
  const usable = usableCache(stored.cache, parse);
  const hasStoredCache = stored.cache !== undefined && stored.cache !== null;
  const previous = PolicyCheckSchema.safeParse(stored.status);
  const before = previous.success ? previous.data : null;

  let cache: PolicyCache | undefined;
  let removeCache = false;
  let check: PolicyCheck;
  switch (read.kind) {
    case 'found': {
      const parsed = parse(read.raw);
      if (parsed.ok) {
        if (usable === null || !sameJson(usable.cache.raw, read.raw)) cache = { raw: read.raw, receivedAt: now };
        check = { checkedAt: now, found: true, errors: [] };
      } else {
        removeCache = hasStoredCache && usable === null;
        check = { checkedAt: now, found: true, errors: parsed.errors.map(({ path, message, code, params }) => ({ path, message, ...(code ? { code, params: [...(params ?? [])] } : {}) })) };
      }
      break;
    }
    case 'none':
      removeCache = hasStoredCache;
      check = { checkedAt: now, found: false, errors: [] };
      break;
    case 'error':
      removeCache = hasStoredCache && usable === null;
      check = { checkedAt: now, found: before?.found ?? false, errors: before?.errors ?? [], readError: read.message };
      break;
  }

  const recordCheck =
    before === null || cache !== undefined || removeCache || !sameCheck(before, check) || now - before.checkedAt >= CHECK_RECORD_MS || now < before.checkedAt;
  return { ...(cache !== undefined ? { cache } : {}), removeCache, ...(recordCheck ? { status: check } : {}) };
}

/** True when the update writes or removes nothing. */
export function isEmptyUpdate(update: PolicyUpdate): boolean {
  return update.cache === undefined && !update.removeCache && update.status === undefined;
}

/** Where the policy in force came from. */
export type PolicySource =
  /** The browser's managed storage, confirmed by the last read. */
  | 'managed'
  /** The cached copy: not (yet) confirmed, or kept because the policy now pushed is invalid or could not be read. */
  | 'cache'
  /** No policy: open browsing, no IT rules. */
  | 'none';

interface PolicyInForce {
  readonly policy: Policy;
  readonly source: PolicySource;
  /** When the policy in force was first received; null without one. */
  readonly receivedAt: number | null;
  /** The last check of managed storage, when one is stored and well-formed. */
  readonly check: PolicyCheck | null;
  /** Stored values that were corrupt and were set aside, in words for the status page. */
  readonly notes: readonly string[];
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return `${where}: ${issue?.message ?? 'unknown problem'}`;
}

function problemText(problem: PolicyProblem | undefined): string {
  return problem ? `${problem.path}: ${problem.message}` : 'unknown problem';
}

/** The policy to enforce from what is stored, never throwing on a corrupt value. */
export function policyInForce(stored: StoredPolicy, parse: PolicyParser = parsePolicy): PolicyInForce {
  const notes: string[] = [];
  let check: PolicyCheck | null = null;
  if (stored.status !== undefined && stored.status !== null) {
    const parsed = PolicyCheckSchema.safeParse(stored.status);
    if (parsed.success) check = parsed.data;
    else notes.push(`stored "policyStatus" was invalid${firstIssue(parsed.error)}; it is ignored until IT's policy is read again`);
  }

  if (stored.cache === undefined || stored.cache === null) return { policy: EMPTY_POLICY, source: 'none', receivedAt: null, check, notes };
  const cache = PolicyCacheSchema.safeParse(stored.cache);
  if (!cache.success) {
    notes.push(`the cached policy was corrupt${firstIssue(cache.error)}; no IT policy applies until IT's policy is read again`);
    return { policy: EMPTY_POLICY, source: 'none', receivedAt: null, check, notes };
  }
  const parsed = parse(storedRaw(stored.cache));
  if (!parsed.ok) {
    notes.push(`the cached policy no longer validates (${problemText(parsed.errors[0])}); no IT policy applies until IT's policy is read again`);
    return { policy: EMPTY_POLICY, source: 'none', receivedAt: null, check, notes };
  }
  const confirmed = check !== null && check.found && check.errors.length === 0 && check.readError === undefined;
  // What the policy in force does otherwise than IT wrote (an entry left out or widened): loud, on the status page.
  for (const warning of parsed.warnings) notes.push(`IT's policy, ${warning.path}: ${warning.message}`);
  return { policy: parsed.policy, source: confirmed ? 'managed' : 'cache', receivedAt: cache.data.receivedAt, check, notes };
}
