/**
 * The countdown shows whole minutes, rounded up, and seconds only in the
 * last minute; the popup redraws itself only when what it shows changes.
 */
import type { Status } from '../../../../src/core/protocol';
import { nextRedraw } from '../../../../src/ui/popup/redraw';
import { formatTimeLeft, setMessageSource, timeLeft } from '../../../../src/ui/shared/text';
import { localeSource } from '../support/locale';

const S = 1000;
const M = 60 * S;

describe('timeLeft', () => {
  it.each([
    [45 * M, 'minutes', 45, M],
    [44 * M + 59 * S, 'minutes', 45, 59 * S],
    [44 * M + 1, 'minutes', 45, 1],
    [44 * M, 'minutes', 44, M],
    [2 * M + 1, 'minutes', 3, 1],
    [2 * M, 'minutes', 2, M],
    [61 * S, 'minutes', 2, S],
    [60 * S, 'minutes', 1, S],
    [59 * S + 1, 'minutes', 1, 1],
    [59 * S, 'seconds', 59, S],
    [1500, 'seconds', 2, 500],
    [1, 'seconds', 1, 1],
    [0, 'seconds', 0, null],
    [-5 * S, 'seconds', 0, null],
    [95 * M, 'minutes', 95, M],
  ] as const)('%i ms left: %s %i, next change in %s ms', (ms, unit, value, changesIn) => {
    expect(timeLeft(ms)).toEqual({ unit, value, changesIn });
  });

  it.each([
    ['en', 45 * M, '45 min left'],
    ['en', 60 * S, '1 min left'],
    ['en', 59 * S, '59 seconds left'],
    ['en', 1 * S, '1 second left'],
    ['nl', 44 * M + 1, 'nog 45 min'],
    ['nl', 30 * S, 'nog 30 seconden'],
    ['nl', 1 * S, 'nog 1 seconde'],
  ] as const)('%s, %i ms: %s', (language, ms, text) => {
    setMessageSource(localeSource(language));
    expect(formatTimeLeft(ms)).toBe(text);
  });
});

describe('nextRedraw', () => {
  const T = 1_800_000_000_000;
  const base = { active: null, pause: null, exceptions: [], nextChange: null } as unknown as Status;
  const lessonEnding = (endsAt: number) => ({ ...base, active: { endsAt }, nextChange: endsAt }) as unknown as Status;

  it.each<[string, Status | null, number | null]>([
    ['no status yet', null, null],
    ['nothing due', base, null],
    ['the next rule change', { ...base, nextChange: T + 5 * M } as Status, T + 5 * M],
    ["the countdown's next minute", lessonEnding(T + 10 * M + 30 * S), T + 30 * S],
    ['each second in the last minute', lessonEnding(T + 30 * S), T + S],
    ['a pause that ends', { ...base, pause: { until: T + 20 * S } } as unknown as Status, T + 20 * S],
    ['a site let through until', { ...base, exceptions: [{ site: 'a.test', until: T + 90 * S }] } as unknown as Status, T + 90 * S],
    ['a class pause that ends', { ...base, published: [{ classId: '2B', lesson: null, pause: { message: 'x', startsAt: T - M, until: T + 40 * S } }] } as unknown as Status, T + 40 * S],
    ['nothing in the past', { ...base, nextChange: T - 1, pause: { until: T } } as unknown as Status, null],
  ])('%s', (_what, status, expected) => {
    expect(nextRedraw(status, T)).toBe(expected);
  });
});
