/**
 * The blocked page: calm and plain enough for a ten-year-old. It says why
 * the site is blocked (the lesson, a class pause, or a rule of the school),
 * which lesson is on and until when, lists the sites that may be used (as
 * links), names the site that was blocked (the full address only on
 * demand), and offers a way back. Inside a frame it shrinks to a one-line
 * notice naming the host, so a teacher can see what to add.
 */
import { useLayoutEffect, useState } from 'preact/hooks';
import type { Verdict } from '../../core/rules/decide';
import type { Status } from '../../core/protocol';
import type { Connector } from '../shared/channel';
import { formatTime, setSchoolType, siteLink, t } from '../shared/text';
import { categoryOffHeading } from '../shared/categories';
import { LeaveActions, type PageHistory } from './leave-actions';
import { LetThrough } from './let-through';

interface BlockedViewProps {
  readonly connector: Connector;
  /** The address that was blocked (from the page's fragment). */
  readonly blockedUrl: string;
  readonly inFrame: boolean;
  /** Going back from the page, or closing its tab when there is nowhere to go back to. */
  readonly history?: PageHistory;
  readonly now?: () => number;
  /** Where the page goes once a teacher let the site through (the tab goes back to it). */
  readonly onAllowed?: (url: string) => void;
}

/** The host of a web address ("games.test"); null for anything else (the fragment is anyone's to write). */
export function webHost(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname : null;
  } catch {
    return null;
  }
}

/**
 * How often an open blocked page asks again: a class pause can start or end
 * while it is shown (a tab blocked by the lesson stays here during a pause),
 * and the page must say what holds now.
 */
const REFRESH_MS = 5000;
/** How soon the page asks again when the background did not answer (it may be starting). */
const RETRY_MS = 1000;

const NO_HISTORY: PageHistory = { canGoBack: false, goBack: () => undefined, closeTab: () => undefined };

type Heading = 'blockedTitlePaused' | 'blockedTitleIt' | 'blockedTitle' | 'blockedTitleOpen';

/** What the page says first. A pause wins: it covers every page, an IT-blocked one too. */
function headingFor(verdict: Verdict | null, paused: boolean): Heading {
  if (paused || verdict?.reason === 'paused') return 'blockedTitlePaused';
  if (verdict?.allowed) return 'blockedTitleOpen';
  if (verdict?.reason === 'it-blocked') return 'blockedTitleIt';
  return 'blockedTitle';
}

/** A teacher can let a student through a lesson's block, never through IT's, not during a pause and not in a test. */
function canLetThrough(status: Status, verdict: Verdict, url: string): boolean {
  return status.teacher.pinSet && status.active?.test !== true && !verdict.allowed && verdict.reason !== 'it-blocked' && verdict.byIt !== true && verdict.reason !== 'paused' && /^https?:\/\//i.test(url);
}

interface Answer {
  readonly status: Status;
  readonly verdict: Verdict | null;
}

/**
 * The background's answer for the page: asked at once, again every few
 * seconds, and again soon after a failure.
 *
 * Asked from a layout effect, which runs as soon as the page is rendered.
 * Preact runs a plain effect after the next frame, and a tab in the
 * background gets no frames and timers at most once a second (Firefox): a
 * blocked page opened in a background tab asked the background only about
 * two seconds later, and until then showed its heading and nothing else.
 */
function useAnswer(connector: Connector, blockedUrl: string, enabled: boolean): { answer: Answer | null; unreachable: boolean } {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [unreachable, setUnreachable] = useState(false);
  const [tick, setTick] = useState(0);

  useLayoutEffect(() => {
    if (!enabled) return undefined;
    const timer = setInterval(() => setTick((count) => count + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, [enabled]);

  useLayoutEffect(() => {
    if (!enabled) return undefined;
    let alive = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const load = async (): Promise<void> => {
      try {
        const [status, verdict] = await Promise.all([
          connector.request({ type: 'getStatus' }),
          blockedUrl ? connector.request({ type: 'checkUrl', url: blockedUrl, kind: 'page' }) : Promise.resolve(null),
        ]);
        if (!alive) return;
        setAnswer({ status, verdict });
        setUnreachable(false);
      } catch {
        if (!alive) return;
        setUnreachable(true);
        retry = setTimeout(() => void load(), RETRY_MS);
      }
    };
    void load();
    return () => {
      alive = false;
      clearTimeout(retry);
    };
  }, [connector, blockedUrl, enabled, tick]);

  return { answer, unreachable };
}

export function BlockedView({ connector, blockedUrl, inFrame, history = NO_HISTORY, now = Date.now, onAllowed = () => undefined }: BlockedViewProps) {
  const { answer, unreachable } = useAnswer(connector, blockedUrl, !inFrame);
  const status = answer?.status ?? null;
  // The teacher is named as this school names them (leerkracht, docent), here and in the let-through form.
  setSchoolType(status?.settings.schoolType);
  const verdict = answer?.verdict ?? null;
  const pause = status?.pause ?? null;
  const byCategory = answer !== null && pause === null && verdict?.reason === 'category-blocked';
  // "AI tools are off in this lesson": a category the lesson blocks says which, not only the host.
  const heading = byCategory ? categoryOffHeading(verdict.category ?? '', status) : t(answer === null ? 'blockedTitleWaiting' : headingFor(verdict, pause !== null));

  // The tab's title says what the page says.
  useLayoutEffect(() => {
    if (!inFrame) document.title = heading;
  }, [heading, inFrame]);

  if (inFrame) {
    return (
      <p class="frame-notice" role="status">
        {t('blockedFrame', webHost(blockedUrl) ?? blockedUrl)}
      </p>
    );
  }

  if (status === null) {
    return (
      <main class="card" aria-busy={!unreachable}>
        <img class="mark" src="icons/icon-128.png" alt="" width={64} height={64} />
        <h1>{heading}</h1>
        {unreachable ? (
          <p class="ask" role="alert">
            {t('errorNoAnswer')}
          </p>
        ) : (
          <p class="hint">{t('loading')}</p>
        )}
        <LeaveActions history={history} />
      </main>
    );
  }

  const lesson = status.active;
  const itBlocked = verdict?.reason === 'it-blocked';
  const host = status.settings.showBlockedAddress ? webHost(blockedUrl) : null;
  const openAgain = verdict?.allowed === true && pause === null;

  return (
    <main class="card" aria-live="polite">
      <img class="mark" src="icons/icon-128.png" alt="" width={64} height={64} />
      <h1>{heading}</h1>
      {pause && <p class="pause-message">{pause.message}</p>}
      {pause && <p class="until">{t('blockedPauseUntil', formatTime(pause.until))}</p>}
      {openAgain && webHost(blockedUrl) !== null && (
        <p>
          <a class="button-link" href={blockedUrl}>
            {t('blockedOpenPage')}
          </a>
        </p>
      )}
      {lesson && !pause && (
        <p class="lesson">
          <strong>{t('blockedLesson', lesson.title)}</strong>
          {lesson.endsAt !== null && (
            <>
              <span aria-hidden="true"> · </span>
              <span class="until">{t('blockedUntil', formatTime(lesson.endsAt))}</span>
            </>
          )}
        </p>
      )}
      {host !== null && <BlockedAddress host={host} url={blockedUrl} />}
      {itBlocked && !pause && <p class="explain">{t('blockedItRule')}</p>}
      {lesson?.test === true && !pause && !openAgain && <p class="explain test-note">{t('blockedTestNote')}</p>}
      {lesson?.mode === 'allowlist' && !pause && <AllowedSites sites={lesson.sites} />}
      {!pause && !openAgain && <p class="ask">{t(itBlocked ? 'blockedAskTeacherOrIt' : 'blockedAskTeacher')}</p>}
      {!lesson && !pause && !itBlocked && !openAgain && <p class="hint">{t('blockedNoLesson')}</p>}
      <LeaveActions history={history} />
      {verdict && canLetThrough(status, verdict, blockedUrl) && <LetThrough connector={connector} blockedUrl={blockedUrl} status={status} now={now} onAllowed={onAllowed} />}
    </main>
  );
}

/** The site that was blocked, large; its full address (with every query parameter) only on demand. */
function BlockedAddress({ host, url }: { host: string; url: string }) {
  return (
    <div class="address">
      <p class="address-label">{t('blockedAddress')}</p>
      <p class="blocked-host">{host}</p>
      <details class="full-address">
        <summary>{t('blockedFullAddress')}</summary>
        <p class="url" id="blocked-url">
          {url}
        </p>
      </details>
    </div>
  );
}

function AllowedSites({ sites }: { sites: readonly string[] }) {
  return (
    <section aria-labelledby="allowed-heading">
      <h2 id="allowed-heading">{t('blockedAllowedSites')}</h2>
      {sites.length === 0 ? (
        <p>{t('blockedNoSites')}</p>
      ) : (
        <ul class="sites">
          {sites.map((site) => {
            const href = siteLink(site);
            return <li key={site}>{href ? <a href={href}>{site}</a> : site}</li>;
          })}
        </ul>
      )}
    </section>
  );
}
