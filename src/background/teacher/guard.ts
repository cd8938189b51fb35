/**
 * The lesson set on this device and the sites let through (`lesson`,
 * `exceptions` in storage.local) are the rules' inputs that only the
 * background writes, after a teacher's PIN. Anyone with developer tools on
 * an extension page can write storage.local too: `chrome.storage.local
 * .remove('lesson')` would end a lesson, and an exception written there
 * would let a site through, with no PIN.
 *
 * So the background keeps its own record of what it last wrote, in the
 * second copy (IndexedDB, another folder of the profile), and the rules
 * read these values only through `checkedValues`: a value that is not what
 * the background wrote is put back from the record, and the status page
 * notes it. Where no record exists yet (the first start after an update,
 * or the second copy deleted), the stored value is taken as the record.
 *
 * What this raises the bar against: a student who edits one store, from an
 * extension page's console or by deleting a folder. What it does not:
 * developer tools reach IndexedDB as well (and storage.session, which Chrome
 * opens to every extension page), so a student who edits both stores wins.
 * Only IT's DeveloperToolsAvailability policy closes that door
 * (docs/it-deployment.md, "Student devices: requirements").
 */
import { KEYS, ownRecordKey } from '../../core/state';
import { canonicalJson } from '../../core/teacher/guard';
import { readSecondCopies, writeSecondCopies } from '../../platform/second-copy';
import { readLocalRaw, removeLocal, writeLocal } from '../../platform/storage';
import { trustedNow } from '../clock';
import { serialQueue } from '../serial';

/** The values kept under the background's own record. */
export const GUARDED_KEYS: readonly string[] = [KEYS.lesson, KEYS.exceptions];

/** Where the last changes made outside the background are kept, for the status page (in the second copy). */
const TAMPERED = 'tampered';

/** One queue for writes and checks: a check must never see a write half done. */
const serially = serialQueue();

interface OwnRecord {
  /** The value as the background wrote it; null when it removed it. */
  readonly value: unknown;
}

function isRecord(value: unknown): value is OwnRecord {
  return typeof value === 'object' && value !== null && 'value' in value;
}

/**
 * Writes guarded values (undefined removes one): first the record, then
 * storage.local, so that the storage event finds its record in place.
 */
export function writeGuarded(values: Record<string, unknown>): Promise<void> {
  return serially(async () => {
    await writeSecondCopies(Object.fromEntries(Object.entries(values).map(([key, value]) => [ownRecordKey(key), { value: value ?? null }])));
    const removed = Object.keys(values).filter((key) => values[key] === undefined);
    const written = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
    if (removed.length > 0) await removeLocal(removed);
    if (Object.keys(written).length > 0) await writeLocal(written);
  });
}

/**
 * The guarded values among `keys` as the rules may read them: what the
 * background wrote. Read afresh, in the queue of writes; a value changed
 * outside the background is put back and noted.
 */
export function checkedValues(keys: readonly string[]): Promise<Record<string, unknown>> {
  const guarded = keys.filter((key) => GUARDED_KEYS.includes(key));
  if (guarded.length === 0) return Promise.resolve({});
  return serially(async () => {
    const [stored, records] = await Promise.all([readLocalRaw(guarded), readSecondCopies([...guarded.map(ownRecordKey), TAMPERED])]);
    const values: Record<string, unknown> = {};
    const adopt: Record<string, OwnRecord> = {};
    const restore: Record<string, unknown> = {};
    for (const key of guarded) {
      const record = records[ownRecordKey(key)];
      const value = stored[key] ?? null;
      if (!isRecord(record)) {
        // No record yet: what is stored is the record from now on.
        adopt[ownRecordKey(key)] = { value };
        values[key] = stored[key];
      } else if (canonicalJson(record.value) === canonicalJson(value)) {
        values[key] = stored[key];
      } else {
        console.warn(`Lesmodus: "${key}" was changed outside Lesmodus; it is put back as Lesmodus last wrote it`);
        values[key] = record.value ?? undefined;
        restore[key] = record.value ?? undefined;
      }
    }
    if (Object.keys(adopt).length > 0) await writeSecondCopies(adopt);
    const restored = Object.keys(restore);
    if (restored.length > 0) {
      const now = await trustedNow();
      const tampered = { ...(typeof records[TAMPERED] === 'object' && records[TAMPERED] !== null ? records[TAMPERED] : {}), ...Object.fromEntries(restored.map((key) => [key, now])) };
      await writeSecondCopies({ [TAMPERED]: tampered });
      const removed = restored.filter((key) => restore[key] === undefined);
      const written = Object.fromEntries(restored.filter((key) => restore[key] !== undefined).map((key) => [key, restore[key]]));
      if (removed.length > 0) await removeLocal(removed);
      if (Object.keys(written).length > 0) await writeLocal(written);
    }
    return values;
  });
}

/** When each guarded value was last put back, for the status page. */
export async function tamperedAt(): Promise<Record<string, number>> {
  const found = (await readSecondCopies([TAMPERED]))[TAMPERED];
  if (typeof found !== 'object' || found === null) return {};
  return Object.fromEntries(Object.entries(found).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}
