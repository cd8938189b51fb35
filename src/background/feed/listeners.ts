/**
 * The class feed's wiring into the background: its alarms are listened for
 * at the top level (a restarted service worker must find the listeners
 * before the event that woke it), and it follows the rules flow: on the
 * worker's first flow pass, and whenever a pass brings another policy (role,
 * classes, feed, keys), it starts following (students) or delivering
 * (teachers) under the policy in force.
 */
import { onAlarm } from '../../platform/alarms';
import { followFeedBook } from './book';
import { POLL_ALARM, pollFeeds, startFollowing } from './follow';
import { RETRY_ALARM, deliverDue, prepareSigningKey } from './publish';
import { onFlowPass, type Current } from '../rules/flow';

export { onNavigationStart } from './follow';

async function start(current: Current): Promise<void> {
  const policy = current.inputs.resolve.policy;
  await Promise.all([startFollowing(policy), prepareSigningKey(policy, Date.now()), deliverDue(policy)]);
}

function report(error: unknown): void {
  console.warn('Lesmodus: class feed', error);
}

/** Registers the feed's listeners; call once, synchronously, at the top level of the service worker. */
export function registerFeed(): void {
  followFeedBook();
  onAlarm(POLL_ALARM, () => void pollFeeds());
  onAlarm(RETRY_ALARM, () => void deliverDue().catch(report));
  // An unchanged policy is the same object from one pass to the next (background/policy/parsed.ts).
  onFlowPass((current, previous) => {
    if (previous === null || current.inputs.resolve.policy !== previous.inputs.resolve.policy) void start(current).catch(report);
  });
}
