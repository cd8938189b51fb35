/**
 * How many browsers of a class are connected, for the teacher's class panel:
 * the feed host's own count of the sockets subscribed to the class
 * (docs/class-feed-nginx.md, "Counting"), asked with the teacher's
 * Authorization while the panel is open. A number is all that comes back:
 * no identifier, address or name of any device reaches the teacher. The
 * last count per class is kept in this worker's memory only.
 */
import { classFeedUrl } from '../../core/feed/format';
import { connectedCountOf, type ConnectedCount } from '../../core/feed/status';
import type { Policy } from '../../core/policy/policy';
import { fetchChannelInfo } from '../../platform/network';

const counts = new Map<string, ConnectedCount>();

/** The last count of each class asked for. */
export function connectedCounts(): Record<string, ConnectedCount> {
  return Object.fromEntries(counts);
}

/** Asks the feed host now; `policy` is the policy in force, whose class feed and classes the caller checked. */
export async function countConnected(policy: Policy, classId: string): Promise<ConnectedCount> {
  const template = policy.classFeed?.urlTemplate;
  if (template === undefined) throw new Error('no class feed');
  const answer = await fetchChannelInfo(classFeedUrl(template, classId), policy.classFeed?.authorization);
  const count = answer.kind === 'answer' ? connectedCountOf(answer.status, answer.body, Date.now()) : connectedCountOf(null, null, Date.now(), answer.message);
  counts.set(classId, count);
  return count;
}
