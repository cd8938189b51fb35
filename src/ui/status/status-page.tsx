/**
 * The status page (the extension's options page): what this browser loaded
 * from the school's policy and what is wrong with it, the rules in force
 * now, today's timetable, the blocking rules, and "copy diagnostics". It
 * decides nothing: it shows the background's Status, asked again every few
 * seconds so a policy pushed while the page is open shows up.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { Connector } from '../shared/channel';
import { setSchoolType, t } from '../shared/text';
import { CopyDiagnostics, type CopyServices } from './copy-diagnostics';
import { FeedSection } from './feed-section';
import { formatCount, formatDateTime } from './format';
import { PolicyProblems, PolicySource } from './policy-section';
import { RulesSection } from './rules-section';
import { TimetableSection } from './timetable-section';

export interface StatusPageServices extends CopyServices {
  readonly connector: Connector;
  /** How often the status is asked again, in ms. */
  readonly pollMs?: number;
}

const DEFAULT_POLL_MS = 5000;

function TechnicalSection({ status }: { status: Status }) {
  const { rules } = status;
  return (
    <section class="panel" aria-labelledby="technical-title">
      <h2 id="technical-title">{t('statusPageTechnical')}</h2>
      <dl class="facts">
        <dt>{t('statusPageVersion')}</dt>
        <dd class="version">{status.version}</dd>
        <dt>{t('statusPageRuleCount')}</dt>
        <dd class="rule-count">{formatCount(rules.count)}</dd>
        <dt>{t('statusPageRulesChanged')}</dt>
        <dd>{rules.appliedAt === null ? t('statusPageNever') : formatDateTime(rules.appliedAt)}</dd>
      </dl>
      {rules.error && (
        <p class="error rule-error">
          {t('statusPageRuleError')} {rules.error}
        </p>
      )}
      <h3>{t('statusPageNotes')}</h3>
      {status.notes.length === 0 ? (
        <p class="hint">{t('statusPageNone')}</p>
      ) : (
        <ul class="notes">
          {status.notes.map((note, index) => (
            <li key={index}>{note}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function StatusPage({ services }: { services: StatusPageServices }) {
  const { connector } = services;
  const pollMs = services.pollMs ?? DEFAULT_POLL_MS;
  const [status, setStatus] = useState<Status | null>(null);
  const [unreachable, setUnreachable] = useState(false);

  useEffect(() => {
    let alive = true;
    const load = async (): Promise<void> => {
      try {
        const next = await connector.request({ type: 'getStatus' });
        if (!alive) return;
        setStatus(next);
        setUnreachable(false);
      } catch {
        if (alive) setUnreachable(true);
      }
    };
    void load();
    const timer = setInterval(() => void load(), pollMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [connector, pollMs]);
  // The teacher is named as this school names them (leerkracht, docent).
  setSchoolType(status?.settings.schoolType);

  return (
    <main class="status-main">
      <header class="status-header">
        <h1>{t('statusPageTitle')}</h1>
        <p class="hint">{t('statusPageIntro')}</p>
        {status && <CopyDiagnostics status={status} services={services} />}
      </header>
      {unreachable && (
        <p class="error" role="alert">
          {t('errorNoAnswer')}
        </p>
      )}
      {status === null ? (
        !unreachable && <p aria-busy="true">{t('loading')}</p>
      ) : (
        <>
          <PolicyProblems status={status} />
          <PolicySource status={status} />
          <RulesSection status={status} />
          <TimetableSection status={status} />
          <FeedSection status={status} />
          <TechnicalSection status={status} />
        </>
      )}
    </main>
  );
}
