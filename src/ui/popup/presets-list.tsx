/**
 * Presets to start in one click: IT's (read-only) and the teacher's own on
 * this device, which can also be changed, renamed and deleted. Each says
 * what it does ("Only 3 sites · 50 min", "Only the school's sign-in sites")
 * and shows its sites on request, before it is started.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { Preset } from '../../core/schemas';
import { plural, t } from '../shared/text';
import { categoryList } from '../shared/categories';
import { useFocusOnMount } from '../shared/use-focus';

interface PresetsListProps {
  readonly status: Status;
  readonly busy: boolean;
  readonly defaultMinutes: number;
  readonly onStart: (preset: Preset) => void;
  readonly onEdit: (preset: Preset, own: boolean) => void;
  readonly onRename: (preset: Preset, title: string) => Promise<boolean>;
  readonly onDelete: (preset: Preset) => Promise<boolean>;
}

/** What a preset does: with no sites of its own, an allowlist preset leaves only IT's always-allowed sites (the sign-in pages). */
function kindOf(preset: Preset): string {
  const count = preset.sites.length;
  if (preset.mode === 'allowlist') return count === 0 ? t('presetOnlySchoolSites') : plural('presetAllowlistSites', count);
  return count === 0 ? t('presetBlocksNothing') : plural('presetBlocklistSites', count);
}

/** "Only 3 sites · 50 min", and the categories it blocks: "· Blocked: AI, Games". */
function meta(preset: Preset, defaultMinutes: number, status: Status): string {
  const categories = preset.categories && preset.categories.length > 0 ? ` · ${t('presetCategories', categoryList(preset.categories, status))}` : '';
  return `${kindOf(preset)} · ${t('minutesShort', String(preset.minutes ?? defaultMinutes))}${categories}`;
}

export function PresetsList(props: PresetsListProps) {
  const { status } = props;
  const it = status.presets.it;
  const own = status.presets.local;
  if (it.length === 0 && own.length === 0) return <p class="hint">{t('presetsNone')}</p>;
  return (
    <>
      {own.length > 0 && <PresetGroup {...props} title={t('presetsOwn')} presets={own} own id="presets-own" />}
      {it.length > 0 && <PresetGroup {...props} title={t('presetsSchool')} presets={it} own={false} id="presets-school" />}
    </>
  );
}

function PresetGroup({ title, presets, own, id, ...props }: PresetsListProps & { title: string; presets: readonly Preset[]; own: boolean; id: string }) {
  return (
    <div class="preset-group">
      <h3 id={id}>{title}</h3>
      <ul class="presets" aria-labelledby={id}>
        {presets.map((preset) => (
          <PresetRow key={preset.id} preset={preset} own={own} {...props} />
        ))}
      </ul>
    </div>
  );
}

type RowState = 'idle' | 'renaming' | 'deleting';

function PresetRow({ preset, own, status, busy, defaultMinutes, onStart, onEdit, onRename, onDelete }: PresetsListProps & { preset: Preset; own: boolean }) {
  const [state, setState] = useState<RowState>('idle');
  const titleId = `preset-${own ? 'own' : 'it'}-${preset.id}`;
  const blocked = preset.mode === 'blocklist' && !status.settings.allowBlocklistLessons;

  if (state === 'renaming') return <RenameRow preset={preset} onSave={async (title) => (await onRename(preset, title)) && setState('idle')} onCancel={() => setState('idle')} />;
  if (state === 'deleting') {
    return (
      <li class="preset confirm">
        <ConfirmDelete preset={preset} onConfirm={async () => void ((await onDelete(preset)) || setState('idle'))} onCancel={() => setState('idle')} />
      </li>
    );
  }
  return (
    <li class="preset">
      <div class="preset-text">
        <span class="preset-title" id={titleId}>
          {preset.title}
        </span>
        <span class="preset-meta">{blocked ? t('presetBlocklistNotAllowed') : meta(preset, defaultMinutes, status)}</span>
      </div>
      {preset.sites.length > 0 && (
        <details class="preset-sites">
          <summary aria-describedby={titleId}>{plural('showSites', preset.sites.length)}</summary>
          <ul class="site-list">
            {preset.sites.map((site) => (
              <li key={site}>{site}</li>
            ))}
          </ul>
        </details>
      )}
      <div class="preset-actions">
        <button type="button" class="primary small" aria-describedby={titleId} disabled={busy || blocked} onClick={() => onStart(preset)}>
          {t('start')}
        </button>
        <button type="button" class="small" aria-describedby={titleId} onClick={() => onEdit(preset, own)}>
          {own ? t('presetEdit') : t('presetAdapt')}
        </button>
        {own && (
          <>
            <button type="button" class="small" aria-describedby={titleId} onClick={() => setState('renaming')}>
              {t('presetRename')}
            </button>
            <button type="button" class="small danger" aria-describedby={titleId} onClick={() => setState('deleting')}>
              {t('presetDelete')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

function RenameRow({ preset, onSave, onCancel }: { preset: Preset; onSave: (title: string) => Promise<unknown>; onCancel: () => void }) {
  const [title, setTitle] = useState(preset.title);
  const ref = useFocusOnMount<HTMLInputElement>();
  const inputId = `rename-${preset.id}`;
  return (
    <li class="preset">
      <form
        class="rename"
        onSubmit={(event) => {
          event.preventDefault();
          if (title.trim() !== '') void onSave(title.trim());
        }}
      >
        <label for={inputId}>{t('presetNewName', preset.title)}</label>
        <div class="row">
          <input ref={ref} id={inputId} type="text" maxLength={120} value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
          <button type="submit" class="primary small" disabled={title.trim() === ''}>
            {t('save')}
          </button>
          <button type="button" class="small" onClick={onCancel}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </li>
  );
}

function ConfirmDelete({ preset, onConfirm, onCancel }: { preset: Preset; onConfirm: () => Promise<unknown>; onCancel: () => void }) {
  const ref = useFocusOnMount<HTMLButtonElement>();
  return (
    <div class="row confirm-row" role="group" aria-label={t('presetDeleteQuestion', preset.title)}>
      <span>{t('presetDeleteQuestion', preset.title)}</span>
      <button ref={ref} type="button" class="danger small" onClick={() => void onConfirm()}>
        {t('presetDelete')}
      </button>
      <button type="button" class="small" onClick={onCancel}>
        {t('presetKeep')}
      </button>
    </div>
  );
}
