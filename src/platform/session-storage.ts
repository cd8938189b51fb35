/**
 * storage.session: kept in memory until the browser closes, and shared by
 * every start of the service worker (Chrome 102+, Firefox 115+). Where a
 * browser lacks it, storage.local stands in, so callers store only what may
 * outlive the browser: hashes, never secrets.
 */
import type { z } from 'zod';
import { browser, type Storage } from './browser';

function area(): Storage.StorageArea {
  return (browser.storage as { session?: Storage.StorageArea }).session ?? browser.storage.local;
}

/** Reads one key and validates it; a missing or invalid value gives `fallback`. */
export async function readSession<S extends z.ZodType>(key: string, schema: S, fallback: z.output<S>): Promise<z.output<S>> {
  const stored = await area().get(key);
  const parsed = schema.safeParse(stored[key]);
  return parsed.success ? parsed.data : fallback;
}

export async function writeSession(values: Record<string, unknown>): Promise<void> {
  await area().set(values);
}

export async function removeSession(keys: readonly string[]): Promise<void> {
  await area().remove([...keys]);
}
