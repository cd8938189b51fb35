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

/** Validates a value read from `key`; a missing (undefined) or corrupt value gives `fallback`. */
export function checkStored<S extends z.ZodType>(key: string, value: unknown, schema: S, fallback: z.output<S>): ReadResult<z.output<S>> {
  if (value === undefined) return { value: fallback, problem: null };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { value: parsed.data, problem: null };
  const first = parsed.error.issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  return { value: fallback, problem: `stored "${key}" was invalid${where}: ${first?.message ?? 'unknown problem'}` };
}

/** Reads one key and validates it; a missing or corrupt value gives `fallback`. */
export async function readLocal<S extends z.ZodType>(key: string, schema: S, fallback: z.output<S>): Promise<ReadResult<z.output<S>>> {
  const stored = await browser.storage.local.get(key);
  return checkStored(key, stored[key], schema, fallback);
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

/**
 * Calls `listener` when any of `keys` changes in storage.local, with the new
 * value of each key that changed (undefined: removed). Another write may
 * have followed by the time it runs: read storage for the value in force.
 */
export function onLocalChange(keys: readonly string[], listener: (changed: Record<string, unknown>) => void): void {
  const watched = new Set(keys);
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local') return;
    const changed: Record<string, unknown> = {};
    for (const [key, change] of Object.entries(changes)) {
      // A removal has no newValue (some implementations say null, which Lesmodus never stores in these keys).
      if (watched.has(key)) changed[key] = change.newValue ?? undefined;
    }
    if (Object.keys(changed).length > 0) listener(changed);
  });
}

/**
 * Calls `listener` when the managed policy changes (Chrome pushes changes
 * while running), with each changed key and its new value (none: removed).
 */
export function onManagedChange(listener: (changes: Record<string, { newValue?: unknown }>) => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'managed') return;
    // A removal has no newValue (some implementations say null, which no policy value is).
    const changed: Record<string, { newValue?: unknown }> = {};
    for (const [key, change] of Object.entries(changes)) changed[key] = change.newValue === null || change.newValue === undefined ? {} : { newValue: change.newValue };
    listener(changed);
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
