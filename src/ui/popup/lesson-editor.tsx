/**
 * A lesson or preset as the teacher writes it: a title, the kind (only these
 * sites, or everything but these), the sites, and for a new lesson its
 * length. The same form starts a lesson, saves or edits a preset, and
 * changes the sites of the running lesson.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { LessonMode, Preset } from '../../core/schemas';
import { errorText } from '../errors';
import { t } from '../text';
import { useFocusOnMount } from '../use-focus';
import { LengthPicker, lengthToRequest, type Length } from './length-picker';
import { candidates, problemOf, SitesField } from './sites-field';
import type { Act } from './teacher-actions';

/** What the editor was opened for. */
export type EditorTarget =
  | { readonly kind: 'new'; readonly from?: Preset; readonly ownPresetId?: string }
  | { readonly kind: 'running' };

export interface LessonEditorProps {
  readonly target: EditorTarget;
  readonly status: Status;
  readonly act: Act;
  readonly now: () => number;
  readonly currentTabSite: string | null;
  readonly defaultLength: Length;
  readonly onDone: (status: Status, notice: string) => void;
  readonly onCancel: () => void;
}

export function LessonEditor({ target, status, act, now, currentTabSite, defaultLength, onDone, onCancel }: LessonEditorProps) {
  const running = target.kind === 'running' ? status.active : null;
  const from = target.kind === 'new' ? target.from : undefined;
  const initial = running ?? from;
  const allowBlocklist = status.settings.allowBlocklistLessons;

  const [title, setTitle] = useState(initial?.title ?? '');
  const [mode, setMode] = useState<LessonMode>(initial?.mode === 'blocklist' && allowBlocklist ? 'blocklist' : 'allowlist');
  const [sites, setSites] = useState<string[]>([...(initial?.sites ?? [])]);
  const [draft, setDraft] = useState('');
  const [length, setLength] = useState<Length>(from?.minutes !== undefined ? { kind: 'minutes', minutes: from.minutes } : defaultLength);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleRef = useFocusOnMount<HTMLInputElement>();

  /** The sites with whatever is still typed in the field, or null (with the problem shown) when that is not valid. */
  const allSites = (): string[] | null => {
    if (draft.trim() === '') return sites;
    const typedProblem = problemOf(draft);
    if (typedProblem) {
      setProblem(t('siteFixFirst'));
      return null;
    }
    const next = [...sites];
    for (const site of candidates(draft)) if (!next.includes(site)) next.push(site);
    setSites(next);
    setDraft('');
    return next;
  };

  const checkedTitle = (): string | null => {
    if (title.trim() === '') {
      setProblem(t('titleMissing'));
      return null;
    }
    return title.trim();
  };

  const run = async (work: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(errorText(error, status, now()));
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    run(async () => {
      const name = checkedTitle();
      const list = allSites();
      if (name === null || list === null) return;
      const when = lengthToRequest(length, now(), status.settings.maxLessonMinutes);
      if ('problem' in when) {
        setProblem(when.problem);
        return;
      }
      const next = await act({ type: 'startLesson', lesson: { title: name, mode, sites: list, embeds: [...(from?.embeds ?? [])], ...when, ...(from ? { presetId: from.id } : {}) } });
      if (next) onDone(next, t('noticeStarted', name));
    });

  const savePreset = () =>
    run(async () => {
      const name = checkedTitle();
      const list = allSites();
      if (name === null || list === null) return;
      const minutes = length.kind === 'minutes' ? { minutes: length.minutes } : {};
      const ownId = target.kind === 'new' ? target.ownPresetId : undefined;
      const next = await act({ type: 'savePreset', ...(ownId ? { id: ownId } : {}), preset: { title: name, mode, sites: list, embeds: [...(from?.embeds ?? [])], ...minutes } });
      if (next) onDone(next, t('noticePresetSaved', name));
    });

  const saveRunning = () =>
    run(async () => {
      const name = checkedTitle();
      const list = allSites();
      if (name === null || list === null) return;
      const next = await act({ type: 'updateLesson', sites: list, title: name });
      if (next) onDone(next, t('noticeSitesChanged'));
    });

  const heading = running ? t('editorRunningTitle') : target.kind === 'new' && target.ownPresetId ? t('editorPresetTitle') : t('editorNewTitle');

  return (
    <form
      class="panel-form editor"
      aria-labelledby="editor-title"
      // No implicit submission: Enter in the title must not start a lesson before its sites are in.
      onSubmit={(event) => event.preventDefault()}
    >
      <h1 id="editor-title">{heading}</h1>
      <div class="field">
        <label for="lesson-title">{t('titleLabel')}</label>
        <input ref={titleRef} id="lesson-title" type="text" maxLength={120} value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
      </div>
      {running ? (
        <p class="mode">{t(mode === 'allowlist' ? 'modeAllowlist' : 'modeBlocklist')}</p>
      ) : allowBlocklist ? (
        <fieldset class="field">
          <legend>{t('modeLabel')}</legend>
          <label class="choice">
            <input type="radio" name="mode" value="allowlist" checked={mode === 'allowlist'} onChange={() => setMode('allowlist')} />
            <span>{t('modeAllowlistChoice')}</span>
          </label>
          <label class="choice">
            <input type="radio" name="mode" value="blocklist" checked={mode === 'blocklist'} onChange={() => setMode('blocklist')} />
            <span>{t('modeBlocklistChoice')}</span>
          </label>
        </fieldset>
      ) : (
        <p class="mode">{t('modeAllowlist')}</p>
      )}
      <SitesField
        sites={sites}
        onChange={setSites}
        draft={draft}
        onDraft={setDraft}
        currentTabSite={currentTabSite}
        label={mode === 'allowlist' ? t('sitesAllowedLabel') : t('sitesBlockedLabel')}
      />
      {!running && <LengthPicker value={length} onChange={setLength} maxMinutes={status.settings.maxLessonMinutes} name="editor-length" />}
      <p class="error" role="alert">
        {problem}
      </p>
      <div class="actions">
        {running ? (
          <button type="button" class="primary" disabled={busy} onClick={() => void saveRunning()}>
            {t('saveChanges')}
          </button>
        ) : (
          <>
            <button type="button" class="primary" disabled={busy} onClick={() => void start()}>
              {t('startLesson')}
            </button>
            <button type="button" disabled={busy} onClick={() => void savePreset()}>
              {target.kind === 'new' && target.ownPresetId ? t('savePresetChanges') : t('saveAsPreset')}
            </button>
          </>
        )}
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
