/**
 * The timetable: recurring periods (weekdays + local wall-clock times in the
 * policy's time zone) and the days without lessons. Answers "which period is
 * in force at t", "when may that change next" and "what is on today".
 *
 * Pure: the time always comes in as an argument (epoch milliseconds), and the
 * only conversion between instants and local time is Intl.DateTimeFormat with
 * a `timeZone` option, which Node, Chrome and Firefox all provide.
 *
 * DST rules (the same everywhere in this module):
 * - a local time that does not exist (the spring-forward gap) moves forward
 *   by the length of the gap: 02:30 on the last Sunday of March in
 *   Europe/Amsterdam is 03:30 CEST;
 * - a local time that happens twice (fall-back) is the earlier instant;
 * - so a period wholly inside a gap moves forward with it (02:00-02:45 runs
 *   03:00-03:45 CEST), and one that starts in the gap but ends less than a
 *   gap's length later (02:30-03:15) would end before it starts: that one
 *   occurrence does not take place.
 */
import type { NoLessonDate, Period, Weekday } from '../schemas';

/** What the schedule functions need from the policy; `Policy` satisfies it. */
export interface Timetable {
  /** Recurring periods; their order decides which wins when they overlap. */
  schedule: readonly Period[];
  /** IANA time zone the periods' local times and the no-lesson dates are in. */
  timeZone: string;
  /** Local dates (YYYY-MM-DD) or inclusive ranges {from, to} without periods. */
  noLessonDates: readonly NoLessonDate[];
}

/** One period on one local date, resolved to instants. */
export interface PeriodOccurrence {
  /** The period from the schedule. */
  period: Period;
  /** The period's position in `schedule`. */
  index: number;
  /** First instant of the occurrence (inclusive), epoch milliseconds. */
  startsAt: number;
  /** First instant after the occurrence (exclusive), epoch milliseconds. */
  endsAt: number;
}

/** An instant as local wall-clock time in a time zone. */
interface LocalParts {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  /** Local weekday. */
  weekday: Weekday;
  /** Whole minutes since local midnight (0 to 1439). */
  minutes: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
/** How far ahead (in local days) nextPeriod and nextScheduleChange look. */
const LOOKAHEAD_DAYS = 400;
/** Indexed like Date#getUTCDay: 0 is Sunday. */
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

// ---------------------------------------------------------------------------
// Instants <-> wall-clock time

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per time zone; throws RangeError for an unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US-u-nu-latn', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  const wall: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    switch (part.type) {
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second':
        wall[part.type] = Number(part.value);
        break;
      default:
        break;
    }
  }
  // Some engines have written midnight as hour 24 of the same (new) day.
  wall.hour %= 24;
  return wall;
}

/** The zone's UTC offset at `instant`, in milliseconds (local = UTC + offset). */
function offsetAt(instant: number, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return local - Math.floor(instant / SECOND) * SECOND;
}

/**
 * A local wall-clock time, written as if it were UTC milliseconds, to the
 * instant it denotes. Assumes at most one offset change within a day either
 * side, which holds for every zone in the tz database.
 */
function resolveLocal(local: number, timeZone: string): number {
  const offsetBefore = offsetAt(local - DAY, timeZone);
  const offsetAfter = offsetAt(local + DAY, timeZone);
  const early = local - offsetBefore;
  const late = local - offsetAfter;
  const earlyValid = offsetAt(early, timeZone) === offsetBefore;
  const lateValid = offsetAt(late, timeZone) === offsetAfter;
  if (earlyValid && lateValid) return Math.min(early, late); // ambiguous: the earlier one
  if (earlyValid) return early;
  if (lateValid) return late;
  // In the gap: read the time with the offset from before the change, which
  // moves it forward by the gap (02:30 CET is 03:30 CEST).
  return early;
}

/**
 * For one local day (days since 1970-01-01), a function from minutes since
 * local midnight to the instant. Days without an offset change (nearly all)
 * cost two Intl calls once, rather than several per time on every call.
 */
function dayResolver(day: number, timeZone: string): (minutes: number) => number {
  const midnight = day * DAY;
  const offset = dayOffset(day, timeZone);
  if (offset !== null) return (minutes) => midnight + minutes * MINUTE - offset;
  return (minutes) => resolveLocal(midnight + minutes * MINUTE, timeZone);
}

/** Memo for dayOffset; the answer for a (zone, day) never changes. Bounded. */
const dayOffsets = new Map<string, number | null>();
const DAY_OFFSETS_MAX = 4096;

/** The zone's offset throughout a local day, or null when it changes that day. */
function dayOffset(day: number, timeZone: string): number | null {
  const key = `${timeZone} ${day}`;
  const known = dayOffsets.get(key);
  if (known !== undefined) return known;
  const midnight = day * DAY;
  const offsetBefore = offsetAt(midnight - DAY, timeZone);
  const offsetAfter = offsetAt(midnight + 2 * DAY, timeZone);
  const offset = offsetBefore === offsetAfter ? offsetBefore : null;
  if (dayOffsets.size >= DAY_OFFSETS_MAX) dayOffsets.clear();
  dayOffsets.set(key, offset);
  return offset;
}

// ---------------------------------------------------------------------------
// Local days

/** Days since 1970-01-01 of the local date containing `instant`. */
function localDay(instant: number, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day) / DAY;
}

function dayToDate(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

function weekdayOf(day: number): Weekday {
  // 1970-01-01 was a Thursday (getUTCDay 4).
  return WEEKDAYS[(((day + 4) % 7) + 7) % 7] as Weekday;
}

function parseDate(date: string): number | null {
  const match = DATE_PATTERN.exec(date);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const dayOfMonth = Number(match[3]);
  const ms = Date.UTC(year, month - 1, dayOfMonth);
  // Reject 2026-02-30 and the like rather than rolling over.
  if (dayToDate(ms / DAY) !== date) return null;
  return ms / DAY;
}

function parseTime(time: string): number | null {
  const match = TIME_PATTERN.exec(time);
  if (match === null) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

function isNoLessonDate(date: string, noLessonDates: readonly NoLessonDate[]): boolean {
  // YYYY-MM-DD strings compare like the dates they name.
  for (const entry of noLessonDates) {
    if (typeof entry === 'string') {
      if (entry === date) return true;
    } else if (entry.from <= date && date <= entry.to) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Occurrences

interface CompiledPeriod {
  period: Period;
  index: number;
  days: ReadonlySet<Weekday>;
  start: number;
  end: number;
}

/** The schedule with times in minutes; periods the schema would reject are left out. */
function compile(schedule: readonly Period[]): CompiledPeriod[] {
  const compiled: CompiledPeriod[] = [];
  schedule.forEach((period, index) => {
    const start = parseTime(period.start);
    const end = parseTime(period.end);
    if (start === null || end === null || end <= start || period.days.length === 0) return;
    compiled.push({ period, index, days: new Set(period.days), start, end });
  });
  return compiled;
}

/** Occurrences on one local day, in schedule order. */
function occurrencesOn(day: number, periods: readonly CompiledPeriod[], timetable: Timetable): PeriodOccurrence[] {
  const weekday = weekdayOf(day);
  const matching = periods.filter((p) => p.days.has(weekday));
  if (matching.length === 0) return [];
  if (isNoLessonDate(dayToDate(day), timetable.noLessonDates)) return [];
  const toInstant = dayResolver(day, timetable.timeZone);
  const occurrences: PeriodOccurrence[] = [];
  for (const p of matching) {
    const startsAt = toInstant(p.start);
    const endsAt = toInstant(p.end);
    // Only a period starting in a spring-forward gap can end up empty or inverted.
    if (endsAt > startsAt) occurrences.push({ period: p.period, index: p.index, startsAt, endsAt });
  }
  return occurrences;
}

function byStart(a: PeriodOccurrence, b: PeriodOccurrence): number {
  return a.startsAt - b.startsAt || a.index - b.index;
}

// ---------------------------------------------------------------------------
// Public API

/**
 * The local date, weekday and minutes since local midnight of `instant` in
 * `timeZone`. Throws RangeError for an unknown time zone.
 */
export function localParts(instant: number, timeZone: string): LocalParts {
  const wall = wallClock(instant, timeZone);
  const day = Date.UTC(wall.year, wall.month - 1, wall.day) / DAY;
  return { date: dayToDate(day), weekday: weekdayOf(day), minutes: wall.hour * 60 + wall.minute };
}

/**
 * Local date + HH:MM in the zone -> instant. Nonexistent local times
 * (spring-forward gap) move forward by the gap (02:30 -> 03:30 in
 * Europe/Amsterdam on the last Sunday of March); ambiguous ones (fall-back)
 * take the earlier instant. Throws RangeError for a malformed date or time
 * or an unknown time zone.
 */
export function localToInstant(date: string, time: string, timeZone: string): number {
  const day = parseDate(date);
  if (day === null) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  const minutes = parseTime(time);
  if (minutes === null) throw new RangeError(`not a time (HH:MM): ${time}`);
  return resolveLocal(day * DAY + minutes * MINUTE, timeZone);
}

/**
 * The period in force at `now` (start inclusive, end exclusive), or null. If
 * several overlap, the one listed first in the schedule wins. Days listed in
 * noLessonDates (single dates or inclusive {from,to} ranges, in local dates)
 * have no periods.
 */
export function activePeriod(timetable: Timetable, now: number): PeriodOccurrence | null {
  const periods = compile(timetable.schedule);
  if (periods.length === 0) return null;
  const today = localDay(now, timetable.timeZone);
  let active: PeriodOccurrence | null = null;
  // Yesterday too: cheap insurance for zones whose clocks go back across midnight.
  for (const day of [today - 1, today]) {
    for (const occurrence of occurrencesOn(day, periods, timetable)) {
      if (occurrence.startsAt <= now && now < occurrence.endsAt && (active === null || occurrence.index < active.index)) {
        active = occurrence;
      }
    }
  }
  return active;
}

/**
 * The first period occurrence that starts strictly after `now` (looking
 * ahead up to 400 days), or null. When several start at the same instant,
 * the one listed first in the schedule.
 */
export function nextPeriod(timetable: Timetable, now: number): PeriodOccurrence | null {
  const periods = compile(timetable.schedule);
  if (periods.length === 0) return null;
  const today = localDay(now, timetable.timeZone);
  let next: PeriodOccurrence | null = null;
  let foundOn: number | null = null;
  for (let day = today - 1; day <= today + LOOKAHEAD_DAYS; day++) {
    // Later days start later; one more day is checked only as insurance.
    if (foundOn !== null && day > foundOn + 1) break;
    for (const occurrence of occurrencesOn(day, periods, timetable)) {
      if (occurrence.startsAt > now && (next === null || byStart(occurrence, next) < 0)) {
        next = occurrence;
        foundOn ??= day;
      }
    }
  }
  return next;
}

/**
 * The earliest instant strictly after `now` at which activePeriod may change
 * (any period start or end), or null when the schedule is empty / nothing
 * within 400 days. Never an instant in the past, however long the device
 * slept.
 */
export function nextScheduleChange(timetable: Timetable, now: number): number | null {
  const periods = compile(timetable.schedule);
  if (periods.length === 0) return null;
  const today = localDay(now, timetable.timeZone);
  let next: number | null = null;
  let foundOn: number | null = null;
  for (let day = today - 1; day <= today + LOOKAHEAD_DAYS; day++) {
    if (foundOn !== null && day > foundOn + 1) break;
    for (const occurrence of occurrencesOn(day, periods, timetable)) {
      for (const boundary of [occurrence.startsAt, occurrence.endsAt]) {
        if (boundary > now && (next === null || boundary < next)) {
          next = boundary;
          foundOn ??= day;
        }
      }
    }
  }
  return next;
}

/**
 * All period occurrences on the local day containing `now`, sorted by start
 * (for the status page's "timetable for today"); ties in schedule order.
 * Empty on a no-lesson date.
 */
export function periodsOnDay(timetable: Timetable, now: number): PeriodOccurrence[] {
  const periods = compile(timetable.schedule);
  if (periods.length === 0) return [];
  return occurrencesOn(localDay(now, timetable.timeZone), periods, timetable).sort(byStart);
}
