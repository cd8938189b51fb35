import { describe, expect, it } from '@jest/globals';
import { deletePreset, MAX_LOCAL_PRESETS, newPresetId, renamePreset, savePreset, type PresetDraft } from '../../../../src/core/teacher/presets';

const draft = (extra: Partial<PresetDraft> = {}): PresetDraft => ({ title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], ...extra });
const stored = [
  { id: 'local-a', title: 'Taal', mode: 'allowlist', sites: ['taal.nl'], embeds: [] },
  { id: 'broken', title: '', mode: 'sideways' },
  { id: 'local-b', title: 'Aardrijkskunde', mode: 'blocklist', sites: ['games.nl'], embeds: [], minutes: 50 },
];

describe('savePreset', () => {
  it('adds a new preset under the new id', () => {
    const result = savePreset(stored, draft({ sites: ['rekenen.nl', ' rekenen.nl'] }), undefined, 'local-new');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.stored).toHaveLength(4);
    expect(result.preset).toEqual({ id: 'local-new', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [] });
  });

  it('replaces the preset with the given id in place, leaving a corrupt entry alone', () => {
    const result = savePreset(stored, draft({ minutes: 45 }), 'local-b', 'unused');
    expect(result.ok && result.stored).toEqual([stored[0], stored[1], { id: 'local-b', title: 'Rekenen', mode: 'allowlist', sites: ['rekenen.nl'], embeds: [], minutes: 45 }]);
  });

  it.each<[string, PresetDraft, string | undefined, string]>([
    ['an unknown id', draft(), 'local-x', 'not-found'],
    ['a corrupt entry as target', draft(), 'broken', 'not-found'],
    ['an empty title', draft({ title: '  ' }), undefined, 'invalid'],
    ['an invalid site', draft({ sites: ['*.example.com'] }), undefined, 'invalid'],
  ])('refuses %s', (_name, input, id, problem) => {
    const result = savePreset(stored, input, id, 'local-new');
    expect(!result.ok && result.problem).toBe(problem);
  });

  it('names the field and the problem', () => {
    const result = savePreset(stored, draft({ sites: ['ok.nl', '*.example.com'] }), undefined, 'local-new');
    expect(!result.ok && result.message).toMatch(/^sites\.1: .*example\.com/);
  });

  it('keeps at most the limit', () => {
    const full = Array.from({ length: MAX_LOCAL_PRESETS }, (_, index) => ({ id: `p${index}`, title: `P${index}`, mode: 'allowlist', sites: [], embeds: [] }));
    expect(savePreset(full, draft(), undefined, 'local-new')).toMatchObject({ ok: false, problem: 'too-many' });
    expect(savePreset(full, draft(), 'p3', 'unused').ok).toBe(true);
  });
});

describe('renamePreset and deletePreset', () => {
  it('renames only the title', () => {
    const result = renamePreset(stored, 'local-a', ' Spelling ');
    expect(result.ok && result.stored[0]).toEqual({ ...stored[0], title: 'Spelling' });
  });

  it('refuses an empty name or an unknown id', () => {
    expect(renamePreset(stored, 'local-a', ' ')).toMatchObject({ ok: false, problem: 'invalid' });
    expect(renamePreset(stored, 'nope', 'X')).toMatchObject({ ok: false, problem: 'not-found' });
  });

  it('deletes one preset and keeps the rest, corrupt ones included', () => {
    expect(deletePreset(stored, 'local-a')).toEqual({ ok: true, stored: [stored[1], stored[2]], preset: null });
    expect(deletePreset(stored, 'broken')).toMatchObject({ ok: false, problem: 'not-found' });
  });
});

it('makes ids that IT presets cannot clash with and the schema accepts', () => {
  expect(newPresetId(new Uint8Array([0, 15, 255]))).toBe('local-000fff');
});
