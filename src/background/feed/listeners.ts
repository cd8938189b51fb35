/**
 * The class feed's wiring into the background: its alarms are listened for
 * at the top level (a restarted service worker must find the listeners
 * before the event that woke it), and it follows the rules flow: on the
 * worker's first flow pass, and whenever a pass brings another policy (role,
 * classes, feed, keys), it starts following (students) or delivering
 * (teachers) under the policy in force. Following is two things: a live
 * socket per class (live.ts) and the poll beside it (follow.ts).
 */
import { onAlarm } from '../../platform/alarms';
import { followFeedBook } from './book';
import { POLL_ALARM, openStartPageIfDue, pollFeeds, receiveFrame, startFollowing } from './follow';
import { keepLive } from './live';
import { RETRY_ALARM, deliverDue, prepareSigningKey } from './publish';
import { trustedNow } from '../clock';
import { ensureCurrent, onFlowPass, type Current } from '../rules/flow';

export { onNavigationStart } from './follow';

/** Opens the live connections the policy in force asks for (and closes the others). */
function live(policy: Current['inputs']['resolve']['policy']): void {
  keepLive(policy, (classId, frame) => void receiveFrame(classId, frame));
}

async function start(current: Current): Promise<void> {
  const policy = current.inputs.resolve.policy;
  live(policy);
  await Promise.all([startFollowing(policy), prepareSigningKey(policy, Date.now()), deliverDue(policy)]);
}

function report(error: unknown): void {
  console.warn('Lesmodus: class feed', error);
}

/** Registers the feed's listeners; call once, synchronously, at the top level of the service worker. */
export function registerFeed(): void {
  followFeedBook();
  // The poll alarm also (re)opens the sockets: a worker the browser stopped wakes up here.
  onAlarm(POLL_ALARM, () => {
    void trustedNow()
      .then(ensureCurrent)
      .then((current) => live(current.inputs.resolve.policy))
      .catch(report);
    void pollFeeds();
  });
  onAlarm(RETRY_ALARM, () => void deliverDue().catch(report));
  // An unchanged policy is the same object from one pass to the next (background/policy/parsed.ts).
  onFlowPass((current, previous) => {
    if (previous === null || current.inputs.resolve.policy !== previous.inputs.resolve.policy) void start(current).catch(report);
    // A lesson that takes hold by itself (one scheduled to start now, offline too) opens its start page; a new
    // link opens, or one that waited for a pause to end. Each at most once (follow.ts).
    void openStartPageIfDue(current).catch(report);
  });
}
