/**
 * The class feed on the status page, for IT: the address and how often it is
 * checked; per class, on a student device, the last fetch and its result, the
 * live connection, the lesson accepted and documents refused (those that came
 * over the socket too); on a teacher device, how the last
 * publication was delivered, and the signing key to list in the policy.
 * How a fetch or a delivery went, and why something failed, are worded in
 * the reader's language; the codes and the English detail are in the
 * diagnostics. A refused document's reason code is shown beside its words:
 * it is what the feed server's logs and the device's console say too.
 */
import type { DeliveryState } from '../../core/feed/outbox';
import type { FeedClassStatus, FeedDelivery, FeedStatus } from '../../core/feed/status';
import type { Status } from '../../core/protocol';
import { feedProblemText, feedRejectionText, t } from '../shared/text';
import type { LiveStatus } from '../../core/feed/live';
import { formatDateTime } from './format';

/** The live connection in the reader's words (the English cause of a drop is in the diagnostics). */
function liveText(live: LiveStatus): string {
  switch (live.state) {
    case 'open':
      return t('statusPageLiveOpen', formatDateTime(live.since));
    case 'connecting':
      return t('statusPageLiveConnecting');
    case 'waiting':
      return t('statusPageLiveWaiting', formatDateTime(live.retryAt ?? live.since));
    case 'unavailable':
      return t('statusPageLiveUnavailable');
  }
}

type Outcome = NonNullable<FeedClassStatus['lastOutcome']>;

/** Records, so that a new outcome or delivery state without words is a type error. */
const OUTCOME_KEYS: Record<Outcome, string> = {
  accepted: 'statusPageFetchAccepted',
  unchanged: 'statusPageFetchUnchanged',
  rejected: 'statusPageFetchRejected',
  'not-found': 'statusPageFetchNotFound',
  error: 'statusPageFetchError',
};

const DELIVERY_TEXT: Record<DeliveryState, (delivery: FeedDelivery) => string> = {
  delivered: () => t('statusPageDeliveryDelivered'),
  // `attempts` were made and failed; the one coming is the next.
  pending: (delivery) => (delivery.attempts === 0 ? t('statusPageDeliverySending') : t('statusPageDeliveryRetrying', String(delivery.attempts + 1))),
  superseded: () => t('statusPageDeliverySuperseded'),
  failed: () => t('statusPageDeliveryFailed'),
  'gave-up': (delivery) => t('statusPageDeliveryGaveUp', String(delivery.attempts)),
};

/** How delivery of the last publication went, in the reader's words. */
export function deliveryStateText(delivery: FeedDelivery): string {
  return DELIVERY_TEXT[delivery.state](delivery);
}

function ClassFacts({ entry, role }: { entry: FeedClassStatus; role: FeedStatus['role'] }) {
  const never = t('statusPageNever');
  const { accepted, delivery, lastRejection } = entry;
  return (
    <div class="feed-class">
      <h3>{t('statusPageFeedClass', entry.classId)}</h3>
      <dl class="facts">
        {role === 'student' ? (
          <>
            <dt>{t('statusPageFeedLastFetch')}</dt>
            <dd>
              {entry.lastFetchAt === null ? never : formatDateTime(entry.lastFetchAt)}
              {entry.lastOutcome && ` · ${t(OUTCOME_KEYS[entry.lastOutcome])}`}
              {entry.lastError && <span class="error"> {feedProblemText(entry.lastProblem, entry.lastError)}</span>}
            </dd>
            {entry.live && (
              <>
                <dt>{t('statusPageFeedLive')}</dt>
                <dd>
                  <code>{entry.live.state}</code> {liveText(entry.live)}
                </dd>
              </>
            )}
            <dt>{t('statusPageFeedAccepted')}</dt>
            <dd>
              {accepted === null
                ? t('statusPageNone')
                : `${accepted.lessonTitle ?? '—'}${accepted.lessonEndsAt !== null ? ` (${formatDateTime(accepted.lessonEndsAt)})` : ''} · ${accepted.signer}`}
              {accepted?.lessonClippedTo != null && <span class="hint"> · {t('statusPageFeedClipped', String(accepted.lessonClippedTo))}</span>}
            </dd>
            <dt>{t('statusPageFeedRejected')}</dt>
            <dd>
              {entry.rejections}
              {lastRejection && (
                <>
                  {' · '}
                  <code>{lastRejection.reason}</code> {feedRejectionText(lastRejection.reason)}
                </>
              )}
            </dd>
          </>
        ) : (
          <>
            <dt>{t('statusPageFeedDelivery')}</dt>
            <dd>
              {delivery === null ? (
                t('statusPageNone')
              ) : (
                <>
                  {deliveryStateText(delivery)}
                  {delivery.deliveredAt !== null && ` · ${formatDateTime(delivery.deliveredAt)}`}
                  {delivery.lastError && (
                    <>
                      {' · '}
                      <span class="error">{feedProblemText(delivery.lastProblem, delivery.lastError)}</span>
                    </>
                  )}
                </>
              )}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

export function FeedSection({ status }: { status: Status }) {
  const feed = status.feed;
  if (feed === undefined) return null;
  return (
    <section class="panel" aria-labelledby="feed-title">
      <h2 id="feed-title">{t('statusPageFeed')}</h2>
      {!feed.configured ? (
        <p class="hint">{t('statusPageFeedNone')}</p>
      ) : (
        <>
          <dl class="facts">
            <dt>{t('statusPageFeedAddress')}</dt>
            <dd>
              <code>{feed.urlTemplate}</code>
            </dd>
            {feed.pollSeconds !== null && feed.role === 'student' && (
              <>
                <dt>{t('statusPageFeedPoll')}</dt>
                <dd>{t('statusPageFeedSeconds', String(feed.pollSeconds))}</dd>
              </>
            )}
            {feed.signingKey && (
              <>
                <dt>{t('statusPageFeedKey')}</dt>
                <dd>
                  <code>{feed.signingKey.kid}</code> · {feed.signingKey.fingerprint}
                </dd>
              </>
            )}
          </dl>
          {feed.classes.map((entry) => (
            <ClassFacts key={entry.classId} entry={entry} role={feed.role} />
          ))}
        </>
      )}
    </section>
  );
}
