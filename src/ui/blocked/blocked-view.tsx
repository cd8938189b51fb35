/**
 * The blocked page: calm and plain enough for a ten-year-old. It says which
 * lesson is on and until when, lists the sites that may be used (as links),
 * and shows the address that was blocked. Inside a frame it shrinks to a
 * one-line notice naming the host, so a teacher can see what to add.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Verdict } from '../../core/rules/decide';
import type { Status } from '../../core/protocol';
import type { Connector } from '../shared/channel';
import { formatTime, siteLink, t } from '../shared/text';
import { LetThrough } from './let-through';

interface BlockedViewProps {
  readonly connector: Connector;
  /** The address that was blocked (from the page's fragment). */
  readonly blockedUrl: string;
  readonly inFrame: boolean;
  readonly now?: () => number;
  /** Where the page goes once a teacher let the site through (the tab goes back to it). */
  readonly onAllowed?: (url: string) => void;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * How often an open blocked page asks again: a class pause can start or end
 * while it is shown (a tab blocked by the lesson stays here during a pause),
 * and the page must say what holds now.
 */
const REFRESH_MS = 5000;

function titleFor(verdict: Verdict | null, paused: boolean): string {
  if (verdict?.reason === 'it-blocked') return t('blockedTitleIt');
  if (paused || verdict?.reason === 'paused') return t('blockedTitlePaused');
  return t('blockedTitle');
}

/** A teacher can let a student through a lesson's block, never through IT's and not during a pause. */
function canLetThrough(status: Status, verdict: Verdict, url: string): boolean {
  return status.teacher.pinSet && !verdict.allowed && verdict.reason !== 'it-blocked' && verdict.reason !== 'paused' && /^https?:\/\//i.test(url);
}

export function BlockedView({ connector, blockedUrl, inFrame, now = Date.now, onAllowed = () => undefined }: BlockedViewProps) {
  const [status, setStatus] = useState<Status | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (inFrame) return undefined;
    const timer = setInterval(() => setTick((count) => count + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, [inFrame]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const [nextStatus, nextVerdict] = await Promise.all([
        connector.request({ type: 'getStatus' }),
        blockedUrl ? connector.request({ type: 'checkUrl', url: blockedUrl, kind: inFrame ? 'frame' : 'page' }) : Promise.resolve(null),
      ]);
      if (!cancelled) {
        setStatus(nextStatus);
        setVerdict(nextVerdict);
      }
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [connector, blockedUrl, inFrame, tick]);

  if (inFrame) {
    return (
      <p class="frame-notice" role="status">
        {t('blockedFrame', hostOf(blockedUrl))}
      </p>
    );
  }

  const lesson = status?.active ?? null;
  const pause = status?.pause ?? null;
  const showAddress = status?.settings.showBlockedAddress ?? false;
  const allowedSites = lesson?.mode === 'allowlist' ? lesson.sites : [];

  return (
    <main class="card" aria-live="polite">
      <img class="mark" src="icons/icon-128.png" alt="" width={64} height={64} />
      <h1>{titleFor(verdict, pause !== null)}</h1>
      {pause && <p class="pause-message">{pause.message}</p>}
      {pause && <p class="until">{t('blockedPauseUntil', formatTime(pause.until))}</p>}
      {verdict?.allowed && <p class="note">{t('blockedOpenAgain')}</p>}
      {lesson && !pause && (
        <p class="lesson">
          <strong>{t('blockedLesson', lesson.title)}</strong>
          {lesson.endsAt !== null && <span class="until"> · {t('blockedUntil', formatTime(lesson.endsAt))}</span>}
        </p>
      )}
      {showAddress && blockedUrl && (
        <div class="address">
          <p>{t('blockedAddress')}</p>
          <p class="url" id="blocked-url">
            {blockedUrl}
          </p>
        </div>
      )}
      {lesson?.mode === 'allowlist' && !pause && (
        <section aria-labelledby="allowed-heading">
          <h2 id="allowed-heading">{t('blockedAllowedSites')}</h2>
          {allowedSites.length === 0 ? (
            <p>{t('blockedNoSites')}</p>
          ) : (
            <ul class="sites">
              {allowedSites.map((site) => {
                const href = siteLink(site);
                return <li key={site}>{href ? <a href={href}>{site}</a> : site}</li>;
              })}
            </ul>
          )}
        </section>
      )}
      {!pause && verdict?.reason !== 'it-blocked' && <p class="hint">{t('blockedAskTeacher')}</p>}
      {status && verdict && canLetThrough(status, verdict, blockedUrl) && <LetThrough connector={connector} blockedUrl={blockedUrl} status={status} now={now} onAllowed={onAllowed} />}
      {status && !lesson && !pause && verdict?.reason !== 'it-blocked' && <p class="hint">{t('blockedNoLesson')}</p>}
    </main>
  );
}
