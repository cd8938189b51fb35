/**
 * Typed access to storage.local. Every value is validated with its zod
 * schema when read: a corrupt value is reported and replaced by the
 * fallback, so a bad write can never brick the extension.
 */
import type { z } from 'zod';
import type { ManagedRead } from '../core/policy/cache';
import { browser } from './browser';

interface ReadResult<T> {
  readonly value: T;
  /** Set when a stored value was present but invalid, naming the key and the problem. */
  readonly problem: string | null;
}

/** Reads one key and validates it; a missing or corrupt value gives `fallback`. */
export async function readLocal<S extends z.ZodType>(key: string, schema: S, fallback: z.output<S>): Promise<ReadResult<z.output<S>>> {
  const stored = await browser.storage.local.get(key);
  if (!(key in stored) || stored[key] === undefined) return { value: fallback, problem: null };
  const parsed = schema.safeParse(stored[key]);
  if (parsed.success) return { value: parsed.data, problem: null };
  const first = parsed.error.issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  return { value: fallback, problem: `stored "${key}" was invalid${where}: ${first?.message ?? 'unknown problem'}` };
}

/** Reads several keys in one storage call. */
export async function readLocalRaw(keys: readonly string[]): Promise<Record<string, unknown>> {
  return browser.storage.local.get([...keys]);
}

export async function writeLocal(values: Record<string, unknown>): Promise<void> {
  await browser.storage.local.set(values);
}

export async function removeLocal(keys: readonly string[]): Promise<void> {
  await browser.storage.local.remove([...keys]);
}

/** Calls `listener` when any of `keys` changes in storage.local. */
export function onLocalChange(keys: readonly string[], listener: (changed: string[]) => void): void {
  const watched = new Set(keys);
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local') return;
    const changed = Object.keys(changes).filter((key) => watched.has(key));
    if (changed.length > 0) listener(changed);
  });
}

/** Calls `listener` when the managed policy changes (Chrome pushes changes while running). */
export function onManagedChange(listener: () => void): void {
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') listener();
  });
}

/**
 * Firefox rejects storage.managed.get() with this message when neither
 * policies.json nor a native managed-storage manifest configures the add-on:
 * the same as "no policy". Any other failure (a malformed manifest, say) is a
 * real error, which the status page shows and which leaves the cached policy
 * in force.
 */
const FIREFOX_NO_MANIFEST = /^managed storage manifest not found\.?$/i;

/** Reads the managed policy: the policy, none, or why it could not be read. */
export async function readManaged(): Promise<ManagedRead> {
  try {
    const values: unknown = await browser.storage.managed.get();
    if (values === null || values === undefined) return { kind: 'none' };
    if (typeof values !== 'object' || Array.isArray(values)) return { kind: 'error', message: 'managed storage answered with something other than an object' };
    return Object.keys(values).length > 0 ? { kind: 'found', raw: values as Record<string, unknown> } : { kind: 'none' };
  } catch (error) {
    const message = error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
    return FIREFOX_NO_MANIFEST.test(message) ? { kind: 'none' } : { kind: 'error', message };
  }
}
