/** The teacher's count of connected browsers, from the feed host's answer: a number, or why there is none. */
import { describe, expect, it } from '@jest/globals';
import { connectedCountOf } from '../../../../src/core/feed/status';

const NOW = Date.UTC(2026, 2, 10, 9, 0);

describe('connectedCountOf', () => {
  it.each([
    ['nchan', 200, '{"messages": 1, "requested": 3, "subscribers": 23, "last_message_id": "1796049824:0"}', 23],
    ['the reference server', 200, '{"subscribers":0}', 0],
    ['no channel yet', 404, null, 0],
  ])('%s: %i %s → %i browsers', (_who, status, body, count) => {
    expect(connectedCountOf(status, body, NOW)).toEqual({ count, checkedAt: NOW, problem: null, error: null });
  });

  it.each([
    [401, null, { code: 'credentials', status: 401 }, /credentials/],
    [403, null, { code: 'credentials', status: 403 }, /classFeed.authorization/],
    [503, null, { code: 'http', status: 503 }, /HTTP 503/],
    [200, 'subscribers: 3', { code: 'http', status: 200 }, /not JSON/],
    [200, '{"subscribers": -1}', { code: 'http', status: 200 }, /without a subscriber count/],
    [200, '{"subscribers": "many"}', { code: 'http', status: 200 }, /without a subscriber count/],
    [null, null, { code: 'unreachable' }, /could not be reached: no answer/],
  ])('%s %s: no count, and why', (status, body, problem, error) => {
    const count = connectedCountOf(status, body, NOW);
    expect(count).toMatchObject({ count: null, checkedAt: NOW, problem });
    expect(count.error).toMatch(error);
  });
});
