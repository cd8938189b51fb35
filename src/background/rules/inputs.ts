/**
 * Every input of the rules flow, from storage.local, validated. Only the keys
 * that changed since the last read are read again, and a value that reads
 * the same as before changes nothing: so a change that reaches the flow
 * twice (the writer's own call and the storage event) is one flow pass, and
 * a lesson change does not re-read a 50,000-entry policy. What is kept here
 * is a cache of storage, which a restarted worker reads anew.
 */
import { classInputs, StoredClassFeed, type ClassInputs } from '../../core/feed/follow';
import { policyInForce, sameJson, type PolicyCheck, type PolicySource } from '../../core/policy/cache';
import type { ResolveInputs } from '../../core/rules/resolve';
import { PresetSchema, type Preset } from '../../core/schemas';
import { KEYS, StoredExceptions, StoredLesson, StoredPresets } from '../../core/state';
import { checkStored, readLocalRaw } from '../../platform/storage';
import { parsePolicyOnce } from '../policy/parsed';
import { checkedValues } from '../teacher/guard';

/** What the flow reads: the rules' inputs, and what the status shows beside them (the last policy check, saved presets). */
export const FLOW_INPUT_KEYS: readonly string[] = [KEYS.lesson, KEYS.exceptions, KEYS.presets, KEYS.policyCache, KEYS.policyStatus, KEYS.classFeed];

export interface LoadedInputs {
  readonly resolve: ResolveInputs;
  readonly policySource: PolicySource;
  /** The links the class documents carry (the feed opens each once: feed/follow.ts). */
  readonly classLinks: ClassInputs['links'];
  readonly policyReceivedAt: number | null;
  /** The last read of managed storage (when, what it found, its errors). */
  readonly policyStatus: PolicyCheck | null;
  readonly localPresets: Preset[];
  /** Stored values that were corrupt and were dropped. */
  readonly notes: string[];
}

/** The stored values last read, compared with what is read next to tell a real change from the same value read again. */
const stored = new Map<string, { readonly value: unknown }>();
let loaded: LoadedInputs | null = null;

/**
 * The inputs after `keys` changed (every input when null, or when nothing
 * was read yet): their values in `known` (a storage event brought them), the
 * others read from storage. `changed` is false when every value is the one
 * seen before: the inputs are then the very same object.
 */
export async function loadInputs(keys: readonly string[] | null, known: ReadonlyMap<string, unknown> = new Map()): Promise<{ inputs: LoadedInputs; changed: boolean }> {
  const wanted = loaded === null || keys === null ? FLOW_INPUT_KEYS : FLOW_INPUT_KEYS.filter((key) => keys.includes(key));
  const toRead = loaded === null ? wanted : wanted.filter((key) => !known.has(key));
  const values: Record<string, unknown> = toRead.length > 0 ? await readLocalRaw(toRead) : {};
  for (const key of wanted) if (!toRead.includes(key)) values[key] = known.get(key);
  // The lesson and the sites let through as the background wrote them (teacher/guard.ts).
  Object.assign(values, await checkedValues(wanted));
  let changed = loaded === null;
  for (const key of wanted) {
    const value = values[key];
    // Field by field: the policy cache is a megabyte of JSON, which a storage event brings back as it was written.
    const before = stored.get(key);
    if (before !== undefined && sameJson(before.value, value)) continue;
    stored.set(key, { value });
    changed = true;
  }
  if (!changed && loaded !== null) return { inputs: loaded, changed: false };
  loaded = build();
  return { inputs: loaded, changed: true };
}

/** The value of an input key as the flow last read it (`{ value }`), or null when the flow has not read storage yet. */
export function storedInput(key: string): { readonly value: unknown } | null {
  if (loaded === null) return null;
  const entry = stored.get(key);
  return entry === undefined ? null : { value: entry.value };
}

function build(): LoadedInputs {
  const value = (key: string): unknown => stored.get(key)?.value;
  const lesson = checkStored(KEYS.lesson, value(KEYS.lesson), StoredLesson, null);
  const exceptions = checkStored(KEYS.exceptions, value(KEYS.exceptions), StoredExceptions, []);
  const presets = checkStored(KEYS.presets, value(KEYS.presets), StoredPresets, []);
  const classFeed = checkStored(KEYS.classFeed, value(KEYS.classFeed), StoredClassFeed, {});
  const notes = [lesson, exceptions, presets].flatMap((result) => (result.problem ? [result.problem] : []));
  // A corrupt cache gives no policy and a note (see core/policy/cache.ts), never an exception.
  const inForce = policyInForce({ cache: value(KEYS.policyCache), status: value(KEYS.policyStatus) }, parsePolicyOnce);
  notes.push(...inForce.notes);

  // Presets are checked one by one: a corrupt one is dropped, the rest survive.
  const localPresets: Preset[] = [];
  presets.value.forEach((entry, index) => {
    const parsed = PresetSchema.safeParse(entry);
    if (parsed.success) localPresets.push(parsed.data);
    else notes.push(`saved preset #${index + 1} was corrupt and is ignored: ${parsed.error.issues[0]?.message ?? ''}`);
  });

  // The verified documents stored per class (core/feed/follow.ts says why they are not verified again here).
  if (classFeed.problem) notes.push(classFeed.problem);
  const feed = classInputs(classFeed.value, inForce.policy);
  notes.push(...feed.notes);

  return {
    resolve: { policy: inForce.policy, teacherLesson: lesson.value, classLessons: feed.classLessons, pauses: feed.pauses, exceptions: exceptions.value },
    policySource: inForce.source,
    classLinks: feed.links,
    policyReceivedAt: inForce.receivedAt,
    policyStatus: inForce.check,
    localPresets,
    notes,
  };
}
