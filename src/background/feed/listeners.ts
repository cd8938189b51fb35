/**
 * The class feed's wiring into the background: its alarms and the policy
 * change are listened for at the top level (a restarted service worker must
 * find the listeners before the event that woke it), and every start of the
 * worker resumes following (students) or delivering (teachers).
 */
import { KEYS } from '../../core/state';
import { onAlarm } from '../../platform/alarms';
import { onLocalChange } from '../../platform/storage';
import { followFeedBook } from './book';
import { POLL_ALARM, pollFeeds, startFollowing } from './follow';
import { RETRY_ALARM, deliverDue, prepareSigningKey } from './publish';
import { ensureCurrent, refresh, type Current } from '../rules/flow';

export { onNavigationStart } from './follow';

async function start(current: Current): Promise<void> {
  const policy = current.inputs.resolve.policy;
  await Promise.all([startFollowing(policy), prepareSigningKey(policy, Date.now()), deliverDue()]);
}

function report(error: unknown): void {
  console.warn('Lesmodus: class feed', error);
}

/** Registers the feed's listeners; call once, synchronously, at the top level of the service worker. */
export function registerFeed(): void {
  followFeedBook();
  onAlarm(POLL_ALARM, () => void pollFeeds());
  onAlarm(RETRY_ALARM, () => void deliverDue().catch(report));
  // IT changed the policy (role, classes, feed, keys): follow or publish under the new one.
  onLocalChange([KEYS.policyCache], () => void refresh().then(start).catch(report));
}

/** Starts following or delivering under the policy in force; call on every start of the service worker. */
export function startFeed(): Promise<void> {
  return ensureCurrent(Date.now()).then(start).catch(report);
}
