/**
 * The sites of a lesson as chips. Each site is checked as it is typed, with
 * the same parser the rules use, and the problem is shown under the field in
 * a teacher's words, with the fix as a button where there is one ("Use
 * bad.com" for *.bad.com). Pasting several (one per line) adds them all. A
 * full address with a path, pasted from the address bar, is not added as a
 * rule for that page without a word: the teacher picks the whole site (the
 * suggestion) or only that page. "Add this tab's site" adds the site of the
 * tab the popup was opened over.
 */
import { lessonSiteProblem, parsePattern, patternForUrl } from '../../core/rules/patterns';
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

type Checked = ReturnType<typeof parsePattern>;

function check(candidate: string, mode?: LessonMode): Checked {
  return mode === undefined ? parsePattern(candidate) : (lessonSiteProblem(candidate, mode) ?? parsePattern(candidate));
}

/** A problem with one typed site: what to say, and the site to use instead when there is an obvious one. */
export interface SiteProblem {
  readonly candidate: string;
  readonly message: string;
  readonly fix: string | null;
}

/**
 * The corrected site for a mistake with one obvious fix: `*.bad.com` ->
 * `bad.com`, a path the browser reads otherwise -> the path it reads,
 * `https:/x.nl` -> `https://x.nl`, `x.nl:` -> `x.nl`. Null when there is
 * none, or when the correction is not a valid site either.
 */
function fixFor(candidate: string, result: Checked & { ok: false }, mode?: LessonMode): string | null {
  let fix: string | null = null;
  switch (result.code) {
    case 'star-subdomain':
      fix = candidate.replace('*.', '');
      break;
    case 'path-changed':
    case 'path-empty':
      fix = result.params[1] ?? null;
      break;
    case 'scheme-slashes':
      // Only for the web's own schemes: in `example.com:/maths` the "scheme" is a site with a stray colon.
      fix = /^https?:\/(?!\/)/i.test(candidate) ? candidate.replace(/^(https?):\/(?!\/)/i, '$1://') : null;
      break;
    case 'port-missing':
      fix = candidate.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#:]+):(?=[/?#]|$)/i, '$1');
      break;
    default:
      return null;
  }
  return fix !== null && fix !== '' && fix !== candidate && check(fix, mode).ok ? fix : null;
}

/** The first problem among typed sites, in the teacher's language (naming the site), with its fix; or null. A page's address waits for a choice instead. */
export function siteProblem(text: string, mode?: LessonMode): SiteProblem | null {
  for (const candidate of candidates(text)) {
    if (pageChoiceOf(candidate, mode) !== null) continue;
    const result = check(candidate, mode);
    if (!result.ok) return { candidate, message: patternProblem(result.code, result.params), fix: fixFor(candidate, result, mode) };
  }
  return null;
}

/** A web page's full address and the two rules it could become. */
export interface PageChoice {
  readonly address: string;
  /** The site, as "Add this tab's site" writes it: `schooltv.nl` for https://www.schooltv.nl/…. */
  readonly site: string;
  /** That page and the pages under it, `schooltv.nl/programma/rekenen`; null when it cannot be a rule (too many query conditions). */
  readonly page: string | null;
}

/**
 * For a full http(s) address with a path or query (pasted from the address
 * bar), the whole site and only that page, read as the browser reads the
 * address; null for anything else, which is added as it is written. An
 * address that cannot be a rule as it is (too many query conditions) still
 * offers its site.
 */
export function pageChoiceOf(candidate: string, mode?: LessonMode): PageChoice | null {
  if (!/^https?:\/\//i.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.pathname === '/' && url.search === '') return null;
  const host = patternForUrl(url.href);
  if (host === null) return null;
  const site = `${host}${url.port !== '' ? `:${url.port}` : ''}`;
  if (!check(site, mode).ok) return null;
  const page = `${site}${url.pathname}${url.search}`;
  return { address: candidate, site, page: check(page, mode).ok ? page : null };
}

/** The typed text split into what can be added as it is, what waits for the whole-site-or-page choice, and what is not valid. */
export function sortDraft(text: string, mode?: LessonMode): { ready: string[]; pages: PageChoice[]; bad: string[] } {
  const ready: string[] = [];
  const pages: PageChoice[] = [];
  const bad: string[] = [];
  for (const candidate of candidates(text)) {
    const choice = pageChoiceOf(candidate, mode);
    if (choice) pages.push(choice);
    else if (check(candidate, mode).ok) ready.push(candidate);
    else bad.push(candidate);
  }
  return { ready, pages, bad };
}

export function SitesField({ sites, onChange, draft, onDraft: setDraft, currentTabSite, label, mode }: SitesFieldProps) {
  const problem = draft.trim() === '' ? null : siteProblem(draft, mode);
  const pages = draft.trim() === '' ? [] : sortDraft(draft, mode).pages;

  const withSites = (added: readonly string[]): string[] => {
    const next = [...sites];
    for (const site of added) if (!next.includes(site)) next.push(site);
    return next;
  };

  /** Adds what is valid; addresses of pages wait for the teacher's choice, and what is not valid stays in the field with its problem shown. */
  const add = (text: string) => {
    const sorted = sortDraft(text, mode);
    const next = withSites(sorted.ready);
    if (next.length !== sites.length) onChange(next);
    setDraft([...sorted.pages.map((choice) => choice.address), ...sorted.bad].join('\n'));
  };

  /** Puts `site` in place of `candidate`, which leaves the field; a corrected page address stays there, for the whole-site-or-page choice. */
  const use = (candidate: string, site: string) => {
    const rest = candidates(draft);
    const at = rest.indexOf(candidate);
    if (at >= 0) rest.splice(at, 1);
    if (pageChoiceOf(site, mode) !== null) {
      setDraft([site, ...rest].join('\n'));
      return;
    }
    onChange(withSites([site]));
    setDraft(rest.join('\n'));
    document.getElementById('site-input')?.focus();
  };

  /** Enter or Add: what is typed goes in; for a pasted page, once the choice is on screen, the suggestion (the whole site). */
  const submit = () => {
    const sorted = sortDraft(draft, mode);
    if (sorted.ready.length === 0 && sorted.bad.length === 0 && sorted.pages.length > 0) {
      onChange(withSites(sorted.pages.map((choice) => choice.site)));
      setDraft('');
      return;
    }
    add(draft);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    submit();
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
        <button type="button" onClick={submit} disabled={draft.trim() === ''}>
          {t('siteAdd')}
        </button>
      </div>
      <p id="site-problem" class="field-error" aria-live="polite">
        {problem && t('siteInvalid', problem.message)}
      </p>
      {problem?.fix != null && (
        <p class="site-problem-fix">
          <button type="button" class="small" onClick={() => use(problem.candidate, problem.fix!)}>
            {t('siteUseFix', problem.fix)}
          </button>
        </p>
      )}
      <div class="page-choices" aria-live="polite">
        {pages.map((choice, index) => (
          <div key={choice.address} class="page-choice" role="group" aria-labelledby={`page-choice-${index}`}>
            <p id={`page-choice-${index}`}>{t('sitePageQuestion', [choice.address, choice.site])}</p>
            <div class="button-row">
              <button type="button" class="primary small" onClick={() => use(choice.address, choice.site)}>
                {t('sitePageWhole', choice.site)}
              </button>
              {choice.page !== null && (
                <button type="button" class="small" onClick={() => use(choice.address, choice.page!)}>
                  {t('sitePageOnly')}
                </button>
              )}
            </div>
          </div>
        ))}
      </div>
      <p id="site-hint" class="hint">
        {t('sitesHint')}
      </p>
      {currentTabSite && !sites.includes(currentTabSite) && (
        <button type="button" class="link-button" onClick={() => onChange([...sites, currentTabSite])}>
          {t('siteAddCurrentTab', currentTabSite)}
        </button>
      )}
    </fieldset>
  );
}
