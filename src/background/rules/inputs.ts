/** Loads every input of the rules flow from storage.local, validated. */
import { policyInForce, type PolicyCheck, type PolicySource } from '../../core/policy/cache';
import type { ResolveInputs } from '../../core/rules/resolve';
import { PresetSchema, type Preset } from '../../core/schemas';
import { KEYS, StoredExceptions, StoredLesson, StoredPresets } from '../../core/state';
import { readLocal, readLocalRaw } from '../../platform/storage';
import type { FeedBook } from '../../core/feed/status';
import { loadFeedInputs } from '../feed/inputs';

export interface LoadedInputs {
  readonly resolve: ResolveInputs;
  readonly policySource: PolicySource;
  readonly policyReceivedAt: number | null;
  /** The last read of managed storage (when, what it found, its errors). */
  readonly policyStatus: PolicyCheck | null;
  readonly localPresets: Preset[];
  /** What is stored about the class feed, as this run read it (for the status page). */
  readonly feed: FeedBook;
  /** Stored values that were corrupt and were dropped. */
  readonly notes: string[];
}

export async function loadInputs(): Promise<LoadedInputs> {
  const [lesson, exceptions, presets, policyStored] = await Promise.all([
    readLocal(KEYS.lesson, StoredLesson, null),
    readLocal(KEYS.exceptions, StoredExceptions, []),
    readLocal(KEYS.presets, StoredPresets, []),
    readLocalRaw([KEYS.policyCache, KEYS.policyStatus]),
  ]);
  const notes = [lesson, exceptions, presets].flatMap((result) => (result.problem ? [result.problem] : []));
  // A corrupt cache gives no policy and a note (see core/policy/cache.ts), never an exception.
  const inForce = policyInForce({ cache: policyStored[KEYS.policyCache], status: policyStored[KEYS.policyStatus] });
  notes.push(...inForce.notes);

  // Presets are checked one by one: a corrupt one is dropped, the rest survive.
  const localPresets: Preset[] = [];
  presets.value.forEach((value, index) => {
    const parsed = PresetSchema.safeParse(value);
    if (parsed.success) localPresets.push(parsed.data);
    else notes.push(`saved preset #${index + 1} was corrupt and is ignored: ${parsed.error.issues[0]?.message ?? ''}`);
  });

  const feed = await loadFeedInputs(inForce.policy);
  notes.push(...feed.notes);

  return {
    resolve: { policy: inForce.policy, teacherLesson: lesson.value, classLessons: feed.classLessons, pauses: feed.pauses, exceptions: exceptions.value },
    policySource: inForce.source,
    policyReceivedAt: inForce.receivedAt,
    policyStatus: inForce.check,
    localPresets,
    feed: feed.book,
    notes,
  };
}
