/**
 * The sites of a lesson as chips. Each site is checked as it is typed, with
 * the same parser the rules use, and the problem is shown under the field;
 * pasting several (one per line) adds them all. "Add this tab's site" adds the
 * site of the tab the popup was opened over.
 */
import { lessonSiteProblem, parsePattern } from '../../core/rules/patterns';
import type { LessonMode } from '../../core/schemas';
import { patternProblem, t } from '../shared/text';

interface SitesFieldProps {
  readonly sites: readonly string[];
  readonly onChange: (sites: string[]) => void;
  /** What is typed but not added yet: the editor adds it when the lesson starts, so nothing typed is lost. */
  readonly draft: string;
  readonly onDraft: (draft: string) => void;
  /** The pattern for the current tab's site, or null when it has none (a browser page). */
  readonly currentTabSite: string | null;
  readonly label: string;
  /** The lesson's mode, when sites are for a lesson: an allowlist lesson refuses "*". */
  readonly mode?: LessonMode;
}

/** Splits typed or pasted text into candidate patterns. */
export function candidates(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** The first problem among typed patterns, in the teacher's language (naming the pattern), or null. */
export function problemOf(text: string, mode?: LessonMode): string | null {
  for (const candidate of candidates(text)) {
    const result = mode === undefined ? parsePattern(candidate) : (lessonSiteProblem(candidate, mode) ?? { ok: true as const });
    if (!result.ok) return patternProblem(result.code, result.params);
  }
  return null;
}

export function SitesField({ sites, onChange, draft, onDraft: setDraft, currentTabSite, label, mode }: SitesFieldProps) {
  const problem = draft.trim() === '' ? null : problemOf(draft, mode);

  const add = (text: string) => {
    const good: string[] = [];
    const bad: string[] = [];
    for (const candidate of candidates(text)) (problemOf(candidate, mode) === null ? good : bad).push(candidate);
    const next = [...sites];
    for (const site of good) if (!next.includes(site)) next.push(site);
    if (next.length !== sites.length) onChange(next);
    // What could not be added stays in the field, with its problem shown.
    setDraft(bad.join('\n'));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      add(draft);
    }
  };

  return (
    <fieldset class="field sites-field">
      <legend>{label}</legend>
      {sites.length > 0 ? (
        <ul class="chips">
          {sites.map((site) => (
            <li key={site} class="chip">
              <span>{site}</span>
              <button type="button" class="chip-remove" aria-label={t('siteRemove', site)} title={t('siteRemove', site)} onClick={() => onChange(sites.filter((other) => other !== site))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t('sitesNone')}</p>
      )}
      <label for="site-input" class="sub-label">
        {t('siteAddLabel')}
      </label>
      <div class="row">
        <input
          id="site-input"
          type="text"
          inputMode="url"
          autocomplete="off"
          spellcheck={false}
          value={draft}
          aria-invalid={problem !== null}
          aria-describedby="site-hint site-problem"
          onInput={(event) => setDraft(event.currentTarget.value)}
          onPaste={(event) => {
            const text = event.clipboardData?.getData('text') ?? '';
            if (candidates(text).length > 1) {
              event.preventDefault();
              add(`${draft} ${text}`);
            }
          }}
          onKeyDown={onKeyDown}
        />
        <button type="button" onClick={() => add(draft)} disabled={draft.trim() === ''}>
          {t('siteAdd')}
        </button>
      </div>
      <p id="site-hint" class="hint">
        {t('sitesHint')}
      </p>
      <p id="site-problem" class="field-error" aria-live="polite">
        {problem && t('siteInvalid', problem)}
      </p>
      {currentTabSite && !sites.includes(currentTabSite) && (
        <button type="button" class="link-button" onClick={() => onChange([...sites, currentTabSite])}>
          {t('siteAddCurrentTab', currentTabSite)}
        </button>
      )}
    </fieldset>
  );
}
