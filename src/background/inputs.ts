/** Loads every input of the rules flow from storage.local, validated. */
import { EMPTY_POLICY, parsePolicy, type Policy } from '../core/policy';
import type { ResolveInputs } from '../core/resolve';
import { PresetSchema, type Preset } from '../core/schemas';
import { KEYS, PolicyCacheSchema, PolicyStatusSchema, StoredExceptions, StoredLesson, StoredPresets, type PolicyStatus } from '../core/state';
import { readLocal } from '../platform/storage';

export interface LoadedInputs {
  readonly resolve: ResolveInputs;
  readonly policySource: 'managed' | 'cache' | 'none';
  readonly policyReceivedAt: number | null;
  readonly policyStatus: PolicyStatus | null;
  readonly localPresets: Preset[];
  /** Stored values that were corrupt and were dropped. */
  readonly notes: string[];
}

export async function loadInputs(): Promise<LoadedInputs> {
  const [lesson, exceptions, presets, cache, status] = await Promise.all([
    readLocal(KEYS.lesson, StoredLesson, null),
    readLocal(KEYS.exceptions, StoredExceptions, []),
    readLocal(KEYS.presets, StoredPresets, []),
    readLocal(KEYS.policyCache, PolicyCacheSchema.nullable(), null),
    readLocal(KEYS.policyStatus, PolicyStatusSchema.nullable(), null),
  ]);
  const notes = [lesson, exceptions, presets, cache, status].flatMap((result) => (result.problem ? [result.problem] : []));

  let policy: Policy = EMPTY_POLICY;
  let receivedAt: number | null = null;
  if (cache.value) {
    const parsed = parsePolicy(cache.value.raw);
    if (parsed.ok) {
      policy = parsed.policy;
      receivedAt = cache.value.receivedAt;
    } else {
      notes.push(`the cached policy no longer validates (${parsed.errors[0]?.path}: ${parsed.errors[0]?.message}); open browsing until IT's policy is read again`);
    }
  }

  // Presets are checked one by one: a corrupt one is dropped, the rest survive.
  const localPresets: Preset[] = [];
  presets.value.forEach((value, index) => {
    const parsed = PresetSchema.safeParse(value);
    if (parsed.success) localPresets.push(parsed.data);
    else notes.push(`saved preset #${index + 1} was corrupt and is ignored: ${parsed.error.issues[0]?.message ?? ''}`);
  });

  const source = cache.value ? (status.value?.found ? 'managed' : 'cache') : 'none';
  return {
    resolve: { policy, teacherLesson: lesson.value, classLessons: [], pauses: [], exceptions: exceptions.value },
    policySource: source,
    policyReceivedAt: receivedAt,
    policyStatus: status.value,
    localPresets,
    notes,
  };
}
