import { describe, expect, it } from '@jest/globals';
import {
  activePeriod,
  localParts,
  localToInstant,
  nextPeriod,
  nextScheduleChange,
  periodsOnDay,
  type Timetable,
} from '../../../../src/core/rules/schedule';
import type { NoLessonDate, Period, Weekday } from '../../../../src/core/schemas';

const AMS = 'Europe/Amsterdam';
const NYC = 'America/New_York';
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** Instants are always written with an explicit offset. */
const at = (iso: string): number => {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) throw new Error(`bad fixture ${iso}`);
  return instant;
};

const period = (days: Weekday[], start: string, end: string, preset: string): Period => ({ days, start, end, preset });

const timetable = (schedule: Period[], noLessonDates: NoLessonDate[] = [], timeZone = AMS): Timetable => ({
  schedule,
  timeZone,
  noLessonDates,
});

/** The preset of the active period, or null: compact to read in tables. */
const activePreset = (tt: Timetable, iso: string): string | null => activePeriod(tt, at(iso))?.period.preset ?? null;

const iso = (instant: number | null): string | null => (instant === null ? null : new Date(instant).toISOString());

describe('localParts', () => {
  it.each([
    ['2026-03-30T08:30:00+02:00', AMS, { date: '2026-03-30', weekday: 'mon', minutes: 8 * 60 + 30 }],
    ['2026-03-29T23:30:00Z', AMS, { date: '2026-03-30', weekday: 'mon', minutes: 90 }],
    ['2026-03-29T23:30:00Z', NYC, { date: '2026-03-29', weekday: 'sun', minutes: 19 * 60 + 30 }],
    ['2026-10-25T00:30:00Z', AMS, { date: '2026-10-25', weekday: 'sun', minutes: 150 }], // 02:30 CEST
    ['2026-10-25T01:30:00Z', AMS, { date: '2026-10-25', weekday: 'sun', minutes: 150 }], // 02:30 CET, again
    ['2026-03-29T01:00:00Z', AMS, { date: '2026-03-29', weekday: 'sun', minutes: 180 }], // 03:00 CEST, just after the gap
    ['2026-01-01T00:00:00Z', 'Asia/Kolkata', { date: '2026-01-01', weekday: 'thu', minutes: 5 * 60 + 30 }],
    ['2026-01-01T00:00:00Z', 'UTC', { date: '2026-01-01', weekday: 'thu', minutes: 0 }],
    ['2025-12-31T23:59:59.999Z', 'UTC', { date: '2025-12-31', weekday: 'wed', minutes: 23 * 60 + 59 }],
  ])('%s in %s', (instant, zone, expected) => {
    expect(localParts(at(instant), zone)).toEqual(expected);
  });
});

describe('localToInstant', () => {
  it.each([
    // ordinary times, either side of the DST changes
    ['2026-03-30', '08:30', AMS, '2026-03-30T08:30:00+02:00'],
    ['2026-03-27', '08:30', AMS, '2026-03-27T08:30:00+01:00'],
    ['2026-10-26', '08:30', AMS, '2026-10-26T08:30:00+01:00'],
    ['2026-10-23', '08:30', AMS, '2026-10-23T08:30:00+02:00'],
    ['2026-03-29', '00:00', AMS, '2026-03-29T00:00:00+01:00'],
    ['2026-03-29', '23:59', AMS, '2026-03-29T23:59:00+02:00'],
    // spring-forward gap (02:00-03:00 does not exist): forward by the gap
    ['2026-03-29', '01:59', AMS, '2026-03-29T01:59:00+01:00'],
    ['2026-03-29', '02:00', AMS, '2026-03-29T03:00:00+02:00'],
    ['2026-03-29', '02:30', AMS, '2026-03-29T03:30:00+02:00'],
    ['2026-03-29', '02:59', AMS, '2026-03-29T03:59:00+02:00'],
    ['2026-03-29', '03:00', AMS, '2026-03-29T03:00:00+02:00'],
    // fall-back (02:00-03:00 happens twice): the earlier instant
    ['2026-10-25', '01:59', AMS, '2026-10-25T01:59:00+02:00'],
    ['2026-10-25', '02:00', AMS, '2026-10-25T02:00:00+02:00'],
    ['2026-10-25', '02:30', AMS, '2026-10-25T02:30:00+02:00'],
    ['2026-10-25', '02:59', AMS, '2026-10-25T02:59:00+02:00'],
    ['2026-10-25', '03:00', AMS, '2026-10-25T03:00:00+01:00'],
    // New York changes on other dates (2nd Sunday of March, 1st of November) and at 02:00 local
    ['2026-03-06', '08:30', NYC, '2026-03-06T08:30:00-05:00'],
    ['2026-03-09', '08:30', NYC, '2026-03-09T08:30:00-04:00'],
    ['2026-03-08', '02:30', NYC, '2026-03-08T03:30:00-04:00'],
    ['2026-11-01', '01:30', NYC, '2026-11-01T01:30:00-04:00'],
    ['2026-11-01', '02:00', NYC, '2026-11-01T02:00:00-05:00'],
    ['2026-11-02', '08:30', NYC, '2026-11-02T08:30:00-05:00'],
    ['2026-03-29', '02:30', 'UTC', '2026-03-29T02:30:00Z'],
    ['2026-06-01', '08:30', 'Asia/Kolkata', '2026-06-01T08:30:00+05:30'],
  ])('%s %s in %s is %s', (date, time, zone, expected) => {
    expect(iso(localToInstant(date, time, zone))).toBe(iso(at(expected)));
  });

  it.each([
    ['2026-02-30', '08:30', AMS],
    ['2026-3-30', '08:30', AMS],
    ['2026-03-30', '24:00', AMS],
    ['2026-03-30', '8:30', AMS],
    ['2026-03-30', '08:30', 'Not/AZone'],
  ])('rejects %s %s in %s', (date, time, zone) => {
    expect(() => localToInstant(date, time, zone)).toThrow(RangeError);
  });
});

describe('activePeriod', () => {
  const weekdays = timetable([
    period(WEEKDAYS, '08:30', '09:20', 'maths'),
    period(['mon', 'wed'], '09:20', '10:10', 'english'),
  ]);

  it.each([
    ['2026-03-30T08:29:59.999+02:00', null], // Monday, just before
    ['2026-03-30T08:30:00+02:00', 'maths'], // start inclusive
    ['2026-03-30T09:19:59.999+02:00', 'maths'],
    ['2026-03-30T09:20:00+02:00', 'english'], // end exclusive: the next one has begun
    ['2026-03-30T10:09:59.999+02:00', 'english'],
    ['2026-03-30T10:10:00+02:00', null],
    ['2026-03-31T08:45:00+02:00', 'maths'], // Tuesday
    ['2026-03-31T09:20:00+02:00', null], // english is only on Monday and Wednesday
    ['2026-04-01T09:30:00+02:00', 'english'], // Wednesday
    ['2026-04-03T08:45:00+02:00', 'maths'], // Friday
    ['2026-04-04T08:45:00+02:00', null], // Saturday
    ['2026-04-05T08:45:00+02:00', null], // Sunday
  ])('at %s: %s', (instant, expected) => {
    expect(activePreset(weekdays, instant)).toBe(expected);
  });

  it('describes the occurrence: period, index and instants', () => {
    expect(activePeriod(weekdays, at('2026-03-30T09:30:00+02:00'))).toEqual({
      period: weekdays.schedule[1],
      index: 1,
      startsAt: at('2026-03-30T09:20:00+02:00'),
      endsAt: at('2026-03-30T10:10:00+02:00'),
    });
  });

  it('has nothing to do without a schedule', () => {
    expect(activePeriod(timetable([]), at('2026-03-30T08:45:00+02:00'))).toBeNull();
  });
});

describe('daylight saving time in Europe/Amsterdam', () => {
  const tt = timetable([period(['sun'], '01:30', '03:30', 'night'), period(['mon'], '08:30', '09:20', 'maths')]);

  it.each([
    // spring forward, Sunday 2026-03-29: 01:30 CET to 03:30 CEST is one hour
    ['2026-03-29T01:29:59+01:00', null],
    ['2026-03-29T01:30:00+01:00', 'night'],
    ['2026-03-29T03:00:00+02:00', 'night'],
    ['2026-03-29T03:29:59+02:00', 'night'],
    ['2026-03-29T03:30:00+02:00', null],
    // fall back, Sunday 2026-10-25: 01:30 CEST to 03:30 CET is three hours
    ['2026-10-25T01:29:59+02:00', null],
    ['2026-10-25T01:30:00+02:00', 'night'],
    ['2026-10-25T02:30:00+02:00', 'night'],
    ['2026-10-25T02:30:00+01:00', 'night'],
    ['2026-10-25T03:29:59+01:00', 'night'],
    ['2026-10-25T03:30:00+01:00', null],
    // Monday periods keep their local time: 08:30 is 06:30Z in summer, 07:30Z in winter
    ['2026-03-23T07:30:00Z', 'maths'], // the Monday before, winter
    ['2026-03-23T06:30:00Z', null],
    ['2026-03-30T06:30:00Z', 'maths'], // the Monday after, summer
    ['2026-03-30T07:20:00Z', null],
    ['2026-10-19T06:30:00Z', 'maths'], // the Monday before, summer
    ['2026-10-26T06:30:00Z', null], // the Monday after, winter: only 07:30 local
    ['2026-10-26T07:30:00Z', 'maths'],
    ['2026-10-26T08:19:59Z', 'maths'],
    ['2026-10-26T08:20:00Z', null],
  ])('at %s: %s', (instant, expected) => {
    expect(activePreset(tt, instant)).toBe(expected);
  });

  it.each([
    ['2026-03-29T12:00:00+02:00', '2026-03-29T01:30:00+01:00', '2026-03-29T03:30:00+02:00', 60],
    ['2026-10-25T12:00:00+01:00', '2026-10-25T01:30:00+02:00', '2026-10-25T03:30:00+01:00', 180],
    ['2026-04-05T12:00:00+02:00', '2026-04-05T01:30:00+02:00', '2026-04-05T03:30:00+02:00', 120],
  ])('on the day of %s the night period runs %s to %s (%i minutes)', (day, start, end, minutes) => {
    const [occurrence] = periodsOnDay(tt, at(day));
    expect(iso(occurrence?.startsAt ?? null)).toBe(iso(at(start)));
    expect(iso(occurrence?.endsAt ?? null)).toBe(iso(at(end)));
    expect(((occurrence?.endsAt ?? 0) - (occurrence?.startsAt ?? 0)) / 60_000).toBe(minutes);
  });

  it.each([
    ['02:00', '02:45', '2026-03-29T12:00:00+02:00', ['2026-03-29T03:00:00+02:00', '2026-03-29T03:45:00+02:00']], // inside the gap: both ends move forward
    ['02:30', '03:15', '2026-03-29T12:00:00+02:00', null], // start moves to 03:30, past its end: does not take place
    ['02:00', '03:30', '2026-03-29T12:00:00+02:00', ['2026-03-29T03:00:00+02:00', '2026-03-29T03:30:00+02:00']],
    ['02:00', '02:45', '2026-04-05T12:00:00+02:00', ['2026-04-05T02:00:00+02:00', '2026-04-05T02:45:00+02:00']],
    ['02:15', '02:45', '2026-10-25T12:00:00+01:00', ['2026-10-25T02:15:00+02:00', '2026-10-25T02:45:00+02:00']],
  ])('a Sunday period %s-%s on the day of %s: %j', (start, end, day, expected) => {
    const occurrences = periodsOnDay(timetable([period(['sun'], start, end, 'night')]), at(day));
    expect(occurrences.map((o) => [iso(o.startsAt), iso(o.endsAt)])).toEqual(
      expected === null ? [] : [[iso(at(expected[0] as string)), iso(at(expected[1] as string))]],
    );
  });
});

describe('another time zone: America/New_York', () => {
  const tt = timetable(
    [period(WEEKDAYS, '08:30', '09:20', 'maths'), period(['sun'], '01:30', '03:30', 'night')],
    [],
    NYC,
  );

  it.each([
    ['2026-03-06T13:30:00Z', 'maths'], // Friday 08:30 EST
    ['2026-03-06T12:30:00Z', null],
    ['2026-03-09T12:30:00Z', 'maths'], // Monday 08:30 EDT
    ['2026-03-09T13:20:00Z', null], // 09:20 EDT
    ['2026-03-27T12:30:00Z', 'maths'], // New York on summer time, Amsterdam not yet
    ['2026-10-30T12:30:00Z', 'maths'], // Amsterdam back on winter time, New York not yet
    ['2026-11-02T13:30:00Z', 'maths'], // Monday 08:30 EST
    ['2026-11-02T12:30:00Z', null],
    ['2026-03-08T06:30:00Z', 'night'], // 01:30 EST, spring-forward Sunday
    ['2026-03-08T07:29:59Z', 'night'], // 03:29 EDT
    ['2026-03-08T07:30:00Z', null],
    ['2026-11-01T05:30:00Z', 'night'], // 01:30 EDT, fall-back Sunday
    ['2026-11-01T08:29:59Z', 'night'], // 03:29 EST
    ['2026-11-01T08:30:00Z', null],
  ])('at %s: %s', (instant, expected) => {
    expect(activePreset(tt, instant)).toBe(expected);
  });
});

describe('noLessonDates', () => {
  const tt = timetable(
    [period(WEEKDAYS, '08:30', '09:20', 'maths'), period(['tue'], '00:30', '01:00', 'early')],
    ['2026-04-06', { from: '2026-04-27', to: '2026-05-01', name: 'May holiday' }, '2026-04-14'],
  );

  it.each([
    ['2026-04-03T08:45:00+02:00', 'maths'], // Friday before
    ['2026-04-06T08:45:00+02:00', null], // single date (Easter Monday)
    ['2026-04-07T08:45:00+02:00', 'maths'],
    ['2026-04-24T08:45:00+02:00', 'maths'],
    ['2026-04-27T08:45:00+02:00', null], // range: first day included
    ['2026-04-29T08:45:00+02:00', null],
    ['2026-05-01T08:45:00+02:00', null], // range: last day included
    ['2026-05-04T08:45:00+02:00', 'maths'],
    // local dates, not UTC dates: Tuesday 00:45 local is still Monday in UTC
    ['2026-04-07T00:45:00+02:00', 'early'],
    ['2026-04-14T00:45:00+02:00', null],
  ])('at %s: %s', (instant, expected) => {
    expect(activePreset(tt, instant)).toBe(expected);
  });
});

describe('overlapping periods: the one listed first wins', () => {
  const tt = timetable([
    period(['mon'], '09:00', '10:00', 'first'),
    period(['mon'], '08:30', '11:00', 'second'),
    period(['mon'], '09:30', '09:45', 'third'),
  ]);

  it.each([
    ['2026-03-30T08:45:00+02:00', 'second'],
    ['2026-03-30T09:00:00+02:00', 'first'],
    ['2026-03-30T09:35:00+02:00', 'first'],
    ['2026-03-30T10:00:00+02:00', 'second'],
    ['2026-03-30T10:59:59+02:00', 'second'],
    ['2026-03-30T11:00:00+02:00', null],
  ])('at %s: %s', (instant, expected) => {
    expect(activePreset(tt, instant)).toBe(expected);
  });

  it('follows the order of the schedule, not the start time', () => {
    const reversed = timetable([period(['mon'], '08:30', '11:00', 'long'), period(['mon'], '09:00', '10:00', 'short')]);
    expect(activePreset(reversed, '2026-03-30T09:30:00+02:00')).toBe('long');
  });
});

describe('nextScheduleChange', () => {
  const tt = timetable(
    [period(WEEKDAYS, '08:30', '09:20', 'maths'), period(['mon', 'wed'], '09:20', '10:10', 'english')],
    [{ from: '2026-04-27', to: '2026-05-08' }],
  );

  it.each([
    ['before the first period', '2026-03-30T07:00:00+02:00', '2026-03-30T08:30:00+02:00'],
    ['at a start', '2026-03-30T08:30:00+02:00', '2026-03-30T09:20:00+02:00'],
    ['inside a period', '2026-03-30T09:00:00+02:00', '2026-03-30T09:20:00+02:00'],
    ['at an end that is also a start', '2026-03-30T09:20:00+02:00', '2026-03-30T10:10:00+02:00'],
    ['after the last period of the day', '2026-03-30T12:00:00+02:00', '2026-03-31T08:30:00+02:00'],
    ['inside a period with nothing after it', '2026-03-31T09:00:00+02:00', '2026-03-31T09:20:00+02:00'],
    ['at the last end of the day', '2026-03-31T09:20:00+02:00', '2026-04-01T08:30:00+02:00'],
    ['on Friday afternoon, across the weekend', '2026-04-03T15:00:00+02:00', '2026-04-06T08:30:00+02:00'],
    ['on Saturday', '2026-04-04T10:00:00+02:00', '2026-04-06T08:30:00+02:00'],
    ['across the spring-forward weekend', '2026-03-27T15:00:00+01:00', '2026-03-30T08:30:00+02:00'],
    ['across the fall-back weekend', '2026-10-23T15:00:00+02:00', '2026-10-26T08:30:00+01:00'],
    ['before a holiday range', '2026-04-24T15:00:00+02:00', '2026-05-11T08:30:00+02:00'],
    ['inside a holiday range', '2026-04-29T08:45:00+02:00', '2026-05-11T08:30:00+02:00'],
  ])('%s (%s) -> %s', (_name, now, expected) => {
    expect(iso(nextScheduleChange(tt, at(now)))).toBe(iso(at(expected)));
  });

  it.each([
    ['an empty schedule', timetable([])],
    ['holidays for longer than the lookahead', timetable([period(WEEKDAYS, '08:30', '09:20', 'maths')], [{ from: '2026-01-01', to: '2027-12-31' }])],
    ['the next period 406 days away', timetable([period(WEEKDAYS, '08:30', '09:20', 'maths')], [{ from: '2026-03-31', to: '2027-05-07' }])],
  ])('is null with %s', (_name, tt2) => {
    expect(nextScheduleChange(tt2, at('2026-03-30T12:00:00+02:00'))).toBeNull();
  });

  it('looks 400 days ahead (the next period 399 days away is found)', () => {
    const far = timetable([period(WEEKDAYS, '08:30', '09:20', 'maths')], [{ from: '2026-03-31', to: '2027-04-30' }]);
    expect(iso(nextScheduleChange(far, at('2026-03-30T12:00:00+02:00')))).toBe(iso(at('2027-05-03T08:30:00+02:00')));
  });

  it('agrees with activePeriod: nothing changes between now and the next change', () => {
    const from = at('2026-03-26T00:00:00+01:00');
    const to = at('2026-04-02T00:00:00+02:00');
    const key = (instant: number) => {
      const occurrence = activePeriod(tt, instant);
      return occurrence === null ? null : `${occurrence.index}@${occurrence.startsAt}`;
    };
    for (let now = from; now < to; now += 7 * 60_000) {
      const change = nextScheduleChange(tt, now);
      expect(change).not.toBeNull();
      expect(change as number).toBeGreaterThan(now);
      expect(key((change as number) - 1)).toBe(key(now));
    }
  });
});

describe('a lesson that ended while the device slept', () => {
  const tt = timetable([period(WEEKDAYS, '08:30', '09:20', 'maths')]);

  it.each([
    ['hours later, the same day', '2026-03-30T15:00:00+02:00', null, '2026-03-31T08:30:00+02:00'],
    ['the next evening', '2026-03-31T22:00:00+02:00', null, '2026-04-01T08:30:00+02:00'],
    ['days later, on a Saturday', '2026-04-04T10:00:00+02:00', null, '2026-04-06T08:30:00+02:00'],
    ['the next morning, inside the next period', '2026-03-31T09:00:00+02:00', 'maths', '2026-03-31T09:20:00+02:00'],
  ])('waking %s (%s)', (_name, wake, expectedActive, expectedChange) => {
    // The device last recomputed during Monday's lesson, then slept.
    const lastSeen = at('2026-03-30T09:00:00+02:00');
    expect(nextScheduleChange(tt, lastSeen)).toBe(at('2026-03-30T09:20:00+02:00'));
    const now = at(wake);
    const active = activePeriod(tt, now);
    expect(active?.period.preset ?? null).toBe(expectedActive);
    if (active !== null) expect(active.startsAt).toBe(at('2026-03-31T08:30:00+02:00'));
    const change = nextScheduleChange(tt, now);
    expect(change as number).toBeGreaterThan(now);
    expect(iso(change)).toBe(iso(at(expectedChange)));
  });
});

describe('nextPeriod', () => {
  const tt = timetable(
    [
      period(WEEKDAYS, '08:30', '09:20', 'maths'),
      period(['mon', 'wed'], '09:20', '10:10', 'english'),
      period(['fri'], '08:30', '09:00', 'assembly'),
    ],
    [{ from: '2026-04-27', to: '2026-05-08' }],
  );

  it.each([
    ['2026-03-30T08:00:00+02:00', 'maths', '2026-03-30T08:30:00+02:00'],
    ['2026-03-30T08:30:00+02:00', 'english', '2026-03-30T09:20:00+02:00'], // strictly after: not the one starting now
    ['2026-03-30T09:00:00+02:00', 'english', '2026-03-30T09:20:00+02:00'],
    ['2026-03-30T10:00:00+02:00', 'maths', '2026-03-31T08:30:00+02:00'],
    ['2026-04-02T12:00:00+02:00', 'maths', '2026-04-03T08:30:00+02:00'], // Friday: same start, listed first wins
    ['2026-04-03T12:00:00+02:00', 'maths', '2026-04-06T08:30:00+02:00'], // across the weekend
    ['2026-04-24T12:00:00+02:00', 'maths', '2026-05-11T08:30:00+02:00'], // across the holiday range
  ])('after %s: %s at %s', (now, preset, startsAt) => {
    const next = nextPeriod(tt, at(now));
    expect(next?.period.preset).toBe(preset);
    expect(iso(next?.startsAt ?? null)).toBe(iso(at(startsAt)));
  });

  it('is null without a schedule', () => {
    expect(nextPeriod(timetable([]), at('2026-03-30T08:00:00+02:00'))).toBeNull();
  });
});

describe('periodsOnDay', () => {
  const tt = timetable(
    [
      period(['mon', 'wed'], '09:20', '10:10', 'english'),
      period(WEEKDAYS, '08:30', '09:20', 'maths'),
      period(['mon'], '13:00', '14:30', 'pe'),
    ],
    ['2026-04-06'],
  );
  const summary = (now: string) =>
    periodsOnDay(tt, at(now)).map((o) => `${o.period.preset}#${o.index} ${iso(o.startsAt)}-${iso(o.endsAt)}`);

  it.each([
    [
      'Monday, just after midnight',
      '2026-03-30T00:00:00+02:00',
      [
        'maths#1 2026-03-30T06:30:00.000Z-2026-03-30T07:20:00.000Z',
        'english#0 2026-03-30T07:20:00.000Z-2026-03-30T08:10:00.000Z',
        'pe#2 2026-03-30T11:00:00.000Z-2026-03-30T12:30:00.000Z',
      ],
    ],
    [
      'Monday, just before midnight',
      '2026-03-30T23:59:59+02:00',
      [
        'maths#1 2026-03-30T06:30:00.000Z-2026-03-30T07:20:00.000Z',
        'english#0 2026-03-30T07:20:00.000Z-2026-03-30T08:10:00.000Z',
        'pe#2 2026-03-30T11:00:00.000Z-2026-03-30T12:30:00.000Z',
      ],
    ],
    ['Tuesday', '2026-03-31T12:00:00+02:00', ['maths#1 2026-03-31T06:30:00.000Z-2026-03-31T07:20:00.000Z']],
    ['Saturday', '2026-04-04T12:00:00+02:00', []],
    ['a no-lesson Monday', '2026-04-06T12:00:00+02:00', []],
    [
      'a winter Monday',
      '2026-11-02T12:00:00+01:00',
      [
        'maths#1 2026-11-02T07:30:00.000Z-2026-11-02T08:20:00.000Z',
        'english#0 2026-11-02T08:20:00.000Z-2026-11-02T09:10:00.000Z',
        'pe#2 2026-11-02T12:00:00.000Z-2026-11-02T13:30:00.000Z',
      ],
    ],
  ])('%s (%s)', (_name, now, expected) => {
    expect(summary(now)).toEqual(expected);
  });
});
