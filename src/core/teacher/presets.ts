/**
 * A teacher's own presets on this device: save, rename, delete. They operate
 * on the stored list as it is, entry by entry, so a corrupt entry (already
 * reported on the status page) is left where it is rather than silently
 * lost, and every valid one survives a change to another.
 */
import { PresetSchema, TEST_NEEDS_ALLOWLIST, lessonSitesProblem, type LessonMode, type Preset } from '../schemas';

/** The most presets a teacher can keep on one device. */
export const MAX_LOCAL_PRESETS = 100;

/** A preset as the teacher edits it; the background gives it an id. */
export interface PresetDraft {
  readonly title: string;
  readonly mode: LessonMode;
  readonly sites: readonly string[];
  readonly embeds?: readonly string[];
  readonly minutes?: number;
  readonly tabLimit?: number;
  readonly test?: boolean;
  /** Ids of the categories the preset blocks (the background checks that the device knows them). */
  readonly categories?: readonly string[];
}

export type PresetProblem = 'not-found' | 'invalid' | 'too-many';

export type PresetResult =
  | { readonly ok: true; readonly stored: unknown[]; readonly preset: Preset | null }
  | { readonly ok: false; readonly problem: PresetProblem; readonly message: string };

function refuse(problem: PresetProblem, message: string): PresetResult {
  return { ok: false, problem, message };
}

function idOf(entry: unknown): string | null {
  const parsed = PresetSchema.safeParse(entry);
  return parsed.success ? parsed.data.id : null;
}

function indexOf(stored: readonly unknown[], id: string): number {
  return stored.findIndex((entry) => idOf(entry) === id);
}

function build(draft: PresetDraft, id: string): Preset | string {
  const everything = lessonSitesProblem(draft.mode, draft.sites);
  if (everything !== null) return `sites.${everything.index}: ${everything.message}`;
  if (draft.test === true && draft.mode !== 'allowlist') return `test: ${TEST_NEEDS_ALLOWLIST}`;
  const parsed = PresetSchema.safeParse({
    id,
    title: draft.title,
    mode: draft.mode,
    sites: [...new Set(draft.sites.map((site) => site.trim()).filter((site) => site !== ''))],
    embeds: [...(draft.embeds ?? [])],
    ...(draft.minutes !== undefined ? { minutes: draft.minutes } : {}),
    ...(draft.tabLimit !== undefined ? { tabLimit: draft.tabLimit } : {}),
    ...(draft.test === true ? { test: true } : {}),
    ...(draft.categories !== undefined && draft.categories.length > 0 ? { categories: [...new Set(draft.categories)] } : {}),
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') || 'preset'}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Saves a preset: with `id`, replaces the teacher's preset with that id
 * (edit); without, adds a new one under `newId`.
 */
export function savePreset(stored: readonly unknown[], draft: PresetDraft, id: string | undefined, newId: string): PresetResult {
  if (id !== undefined) {
    const index = indexOf(stored, id);
    if (index < 0) return refuse('not-found', `no saved preset with id "${id}"`);
    const preset = build(draft, id);
    if (typeof preset === 'string') return refuse('invalid', preset);
    const next = [...stored];
    next[index] = preset;
    return { ok: true, stored: next, preset };
  }
  const valid = stored.filter((entry) => idOf(entry) !== null).length;
  if (valid >= MAX_LOCAL_PRESETS) return refuse('too-many', `at most ${MAX_LOCAL_PRESETS} presets on one device: delete one first`);
  const preset = build(draft, newId);
  if (typeof preset === 'string') return refuse('invalid', preset);
  return { ok: true, stored: [...stored, preset], preset };
}

/** Gives the teacher's preset `id` another title. */
export function renamePreset(stored: readonly unknown[], id: string, title: string): PresetResult {
  const index = indexOf(stored, id);
  if (index < 0) return refuse('not-found', `no saved preset with id "${id}"`);
  const current = PresetSchema.parse(stored[index]);
  const preset = build({ ...current, title }, id);
  if (typeof preset === 'string') return refuse('invalid', preset);
  const next = [...stored];
  next[index] = preset;
  return { ok: true, stored: next, preset };
}

/** Removes the teacher's preset `id`. */
export function deletePreset(stored: readonly unknown[], id: string): PresetResult {
  const index = indexOf(stored, id);
  if (index < 0) return refuse('not-found', `no saved preset with id "${id}"`);
  return { ok: true, stored: stored.filter((_, at) => at !== index), preset: null };
}

/** An id for a new local preset from random bytes; "local-" keeps it apart from IT's ids. */
export function newPresetId(bytes: Uint8Array): string {
  return `local-${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
