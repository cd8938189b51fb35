/**
 * Brings IT's managed policy into storage.local. Managed storage can take
 * seconds to answer on a cold start, so the rules flow never waits for it:
 * it reads the last valid policy from the cache, and this module replaces
 * the cache when a new valid policy arrives. An invalid policy never
 * half-applies: the cache keeps the last good one, and the errors are kept
 * for the status page.
 */
import { parsePolicy } from '../core/policy';
import { KEYS, type PolicyCache, type PolicyStatus } from '../core/state';
import { readManaged, writeLocal, readLocalRaw, removeLocal } from '../platform/storage';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Reads the managed policy and updates the cache and the policy status. */
export async function syncManagedPolicy(now: number): Promise<void> {
  const raw = await readManaged();
  const stored = await readLocalRaw([KEYS.policyCache, KEYS.policyStatus]);
  const cache = stored[KEYS.policyCache] as PolicyCache | undefined;
  if (raw === null) {
    const status: PolicyStatus = { checkedAt: now, found: false, errors: [] };
    await writeLocal({ [KEYS.policyStatus]: status });
    // IT removed the policy: Lesmodus falls back to open browsing with no IT rules.
    if (cache !== undefined) await removeLocal([KEYS.policyCache]);
    return;
  }
  const result = parsePolicy(raw);
  const status: PolicyStatus = { checkedAt: now, found: true, errors: result.ok ? [] : [...result.errors] };
  const updates: Record<string, unknown> = { [KEYS.policyStatus]: status };
  if (result.ok && !sameJson(cache?.raw, raw)) updates[KEYS.policyCache] = { raw, receivedAt: now } satisfies PolicyCache;
  await writeLocal(updates);
}
