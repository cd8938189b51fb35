/**
 * A lesson or preset as the teacher writes it: a title, the kind (only these
 * sites, or everything but these), the sites, and for a new lesson its
 * length. The same form starts a lesson, saves or edits a preset, and
 * changes the sites of the running lesson. On a teacher device with a class
 * feed a new lesson goes to the chosen class, with an optional start page
 * for the students and the choice to apply it on this browser too; "running"
 * then means the class's published lesson.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { LessonMode } from '../../core/schemas';
import { errorText } from '../shared/errors';
import { t } from '../shared/text';
import { useFocusOnMount } from '../shared/use-focus';
import { ApplyHereField, classErrorText, publishedTo, type ClassChoice, type EditorTarget } from './class-choice';
import { LengthPicker, lengthToRequest, type Length } from './length-picker';
import { useRestrictions } from './lesson-restrictions';
import { SitesField, sortDraft } from './sites-field';
import { StartAtField, startAtOf } from './start-at-field';
import { formatWhen } from './start-later';
import { CategoryToggles, useCategoryChoice } from './category-toggles';
import type { Act } from './teacher-actions';
import { webAddressOf } from './web-address';

/**
 * A start page as typed, checked the way the background checks it (an
 * http or https address): the address, '' for none, or null when it is not
 * one.
 */
function startPageOf(typed: string): string | null {
  return typed.trim() === '' ? '' : webAddressOf(typed);
}

interface LessonEditorProps {
  readonly target: EditorTarget;
  readonly status: Status;
  readonly act: Act;
  readonly now: () => number;
  readonly currentTabSite: string | null;
  readonly defaultLength: Length;
  readonly onDone: (status: Status, notice: string) => void;
  readonly onCancel: () => void;
  /** On a teacher device with a class feed: the class a new lesson goes to. */
  readonly classes?: ClassChoice | null;
}

export function LessonEditor({ target, status, act, now, currentTabSite, defaultLength, onDone, onCancel, classes = null }: LessonEditorProps) {
  const runningClass = target.kind === 'running' ? target.classId : undefined;
  const running = target.kind === 'running' ? (runningClass !== undefined ? publishedTo(status, runningClass).lesson : status.active) : null;
  // A new lesson goes to the chosen class; a preset being edited is only saved here.
  const forClass = target.kind === 'new' && classes !== null ? classes : null;
  const from = target.kind === 'new' ? target.from : undefined;
  const initial = running ?? from;
  const allowBlocklist = status.settings.allowBlocklistLessons;

  const [title, setTitle] = useState(initial?.title ?? '');
  const [mode, setMode] = useState<LessonMode>(initial?.mode === 'blocklist' && allowBlocklist ? 'blocklist' : 'allowlist');
  const [sites, setSites] = useState<string[]>([...(initial?.sites ?? [])]);
  const [draft, setDraft] = useState('');
  const [length, setLength] = useState<Length>(from?.minutes !== undefined ? { kind: 'minutes', minutes: from.minutes } : defaultLength);
  const [startPage, setStartPage] = useState('');
  const [startAt, setStartAt] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const restrictions = useRestrictions(from);
  const [busy, setBusy] = useState(false);
  const titleRef = useFocusOnMount<HTMLInputElement>();
  const categories = useCategoryChoice(status, initial);

  /** The sites with whatever is still typed in the field, or null (with the problem shown) when that is not valid. */
  const allSites = (): string[] | null => {
    if (draft.trim() === '') return sites;
    const typed = sortDraft(draft, mode);
    if (typed.bad.length > 0) {
      setProblem(t('siteFixFirst'));
      return null;
    }
    // A pasted page address waits for the teacher's choice: the whole site, or only that page.
    if (typed.pages.length > 0) {
      setProblem(t('sitePageChooseFirst'));
      return null;
    }
    const next = [...sites];
    for (const site of typed.ready) if (!next.includes(site)) next.push(site);
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

  /** Runs `work` once at a time, showing what went wrong; `classId` names the class the request went to. */
  const run = async (work: () => Promise<void>, classId?: string) => {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(classErrorText(error, classId) ?? errorText(error, status, now()));
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
      const page = forClass !== null ? startPageOf(startPage) : '';
      if (page === null) {
        setProblem(t('startPageInvalid'));
        return;
      }
      const later = forClass !== null ? startAtOf(startAt, now()) : null;
      if (later === 'passed') {
        setProblem(t('errorStartPast'));
        return;
      }
      const lesson = { title: name, mode, sites: list, embeds: [...(from?.embeds ?? [])], ...when, ...(from ? { presetId: from.id } : {}), ...(page !== '' ? { startPage: page } : {}), ...(later !== null ? { startsAt: later } : {}), ...restrictions.value, ...categories.fields };
      const next = await act(forClass !== null ? { type: 'startLesson', lesson, classId: forClass.classId, applyHere: forClass.applyHere } : { type: 'startLesson', lesson });
      if (next && forClass !== null && later !== null) onDone(next, t('noticeScheduled', [forClass.classId, name, formatWhen(later, now())]));
      else if (next) onDone(next, forClass !== null ? t('noticeClassStarted', [forClass.classId, name]) : t('noticeStarted', name));
    }, forClass?.classId);

  const savePreset = () =>
    run(async () => {
      const name = checkedTitle();
      const list = allSites();
      if (name === null || list === null) return;
      const minutes = length.kind === 'minutes' ? { minutes: length.minutes } : {};
      const ownId = target.kind === 'new' ? target.ownPresetId : undefined;
      const next = await act({ type: 'savePreset', ...(ownId ? { id: ownId } : {}), preset: { title: name, mode, sites: list, embeds: [...(from?.embeds ?? [])], ...minutes, ...restrictions.value, ...categories.fields } });
      if (next) onDone(next, t('noticePresetSaved', name));
    });

  const saveRunning = () =>
    run(async () => {
      const name = checkedTitle();
      const list = allSites();
      if (name === null || list === null) return;
      const next = await act({ type: 'updateLesson', sites: list, title: name, categories: [...categories.ids], ...(runningClass !== undefined ? { classId: runningClass } : {}) });
      if (next) onDone(next, t('noticeSitesChanged'));
    }, runningClass);

  const heading = running
    ? runningClass !== undefined
      ? t('editorClassRunningTitle', runningClass)
      : t('editorRunningTitle')
    : target.kind === 'new' && target.ownPresetId
      ? t('editorPresetTitle')
      : forClass !== null
        ? t('editorClassTitle', forClass.classId)
        : t('editorNewTitle');

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
        mode={mode}
        label={mode === 'allowlist' ? t('sitesAllowedLabel') : t('sitesBlockedLabel')}
      />
      <CategoryToggles status={status} choice={categories} />
      {!running && <LengthPicker value={length} onChange={setLength} maxMinutes={status.settings.maxLessonMinutes} name="editor-length" />}
      {!running && restrictions.field}
      {forClass !== null && (
        <>
          <div class="field">
            <label for="start-page">{t('startPageLabel')}</label>
            <input
              id="start-page"
              type="url"
              inputMode="url"
              autocomplete="off"
              spellcheck={false}
              value={startPage}
              aria-invalid={startPage.trim() !== '' && startPageOf(startPage) === null}
              aria-describedby="start-page-hint"
              onInput={(event) => setStartPage(event.currentTarget.value)}
            />
            <p id="start-page-hint" class="hint">
              {t('startPageHint')}
            </p>
          </div>
          <StartAtField value={startAt} onChange={setStartAt} />
          <ApplyHereField choice={forClass} />
        </>
      )}
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
