/**
 * Time only moves forward (docs/design.md, "Teacher control"). Lessons,
 * replay checks and PIN waits are judged against the wall clock, which the
 * person at the device may be able to set: set it back an hour and a
 * running lesson would drop out; set it forward and it would end. So the
 * background never takes the device's clock as it is. It keeps a record of
 * the latest time it has trusted, and acts on
 *
 *   now = the device's clock + an offset, never before the latest time seen
 *
 * where the offset is 0 until the clock is seen to be wrong:
 *
 * - **Set back** (a reading more than the tolerance before the latest time
 *   seen): tampering. Time goes on from the latest time seen, the offset
 *   takes the difference up, and the status page says so. No lesson ends
 *   early and no PIN wait is skipped because the clock was set back. As
 *   soon as the device's own clock is back at the latest time seen, the
 *   offset goes (a clock put right again, or one that was set right while
 *   the browser was closed, is taken as it is).
 * - **Set forward while Lesmodus runs** (the wall clock ran ahead of the
 *   monotonic clock by more than the tolerance between two readings of one
 *   service worker): first it undoes an earlier set-back (the offset takes
 *   it back down); what is left cannot be told from a laptop waking from
 *   sleep (the monotonic clock stops during sleep on ChromeOS, Linux and
 *   macOS). So time is held (the previous trusted time plus the monotonic
 *   time since) until the class feed's host answers with its clock; without
 *   a feed host, or when it does not answer, the jump is accepted.
 * - **The feed host's clock** (the Date header of its answers; IT's own
 *   server, over HTTPS, which a student cannot forge): when it differs from
 *   the time Lesmodus acts on by more than the tolerance, it wins, in either
 *   direction. It puts a device right whose clock was set back after its
 *   record was wiped, and catches a clock set forward at the next poll.
 * - **Accepted documents' issuedAt** (signed by a teacher's key): the time
 *   is at least that. Documents from more than a few minutes in the future
 *   are refused anyway (core/feed/document.ts), so this moves little.
 *
 * What is not caught: a clock set forward while the browser was closed
 * (it cannot be told from a night), or while Lesmodus runs on a device
 * without a class feed (nor from sleep). A student gains nothing offline
 * from either: the next answer of the feed host puts the time right.
 *
 * Pure: the device's readings come in as arguments.
 */
import { z } from 'zod';
import { localParts } from './schedule';

/** How far the clock may wander before Lesmodus calls it a jump (NTP corrections, a slow answer). */
export const CLOCK_TOLERANCE_MS = 2 * 60_000;
/** The latest time seen is written at most this often when nothing else happened. */
export const CLOCK_RECORD_EVERY_MS = 60_000;
/** How long a jump stays on the status page. */
export const CLOCK_NOTE_DAYS = 7;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const Instant = z.number().int().nonnegative();

const JumpSchema = z.object({
  /** How far, in ms. */
  by: z.number().int().positive(),
  /** The time Lesmodus acted on when it noticed. */
  at: Instant,
});
export type ClockJump = z.infer<typeof JumpSchema>;

/** What is kept in storage (and its second copy): the latest time trusted, the offset, the last jumps noticed. */
export const ClockRecordSchema = z.object({
  latest: Instant,
  /** Added to the device's clock; positive while the device's clock is behind. */
  offset: z.number().int(),
  /** The device's clock was set back (tampering). */
  setBack: JumpSchema.nullable().default(null),
  /** The feed host's clock differed from the time Lesmodus acted on, and won. */
  corrected: JumpSchema.extend({ ahead: z.boolean() }).nullable().default(null),
});
export type ClockRecord = z.infer<typeof ClockRecordSchema>;

/** One reading of the device: its wall clock (ms since 1970) and a monotonic clock (ms, any origin; stops in sleep on some systems). */
export interface DeviceReading {
  readonly wall: number;
  readonly monotonic: number;
}

/** The clock as one service worker holds it. */
export interface ClockState {
  readonly record: ClockRecord;
  /** This worker's previous reading: the time acted on, and the monotonic clock then. */
  readonly anchor: { readonly trusted: number; readonly monotonic: number } | null;
  /** A forward jump seen while the worker ran, held until the feed host answers (or cannot). */
  readonly held: ClockJump | null;
  /** `latest` as last written to storage; null when nothing was written by this worker. */
  readonly written: number | null;
}

export interface ClockResult {
  readonly state: ClockState;
  /** The time to act on. */
  readonly now: number;
  /** Write `state.record` now: something was noticed, or the last write is a minute old. */
  readonly write: boolean;
  /** A forward jump was seen just now: ask the feed host (and then call hostTime or releaseHeld). */
  readonly askHost: boolean;
}

/**
 * The state of a worker that starts: its record from storage (the stricter
 * of its two copies, see stricterRecord), or a new one.
 */
export function startClock(stored: ClockRecord | null, reading: DeviceReading): ClockState {
  return { record: stored ?? { latest: reading.wall, offset: 0, setBack: null, corrected: null }, anchor: null, held: null, written: stored?.latest ?? null };
}

/** Of two copies of the record, the one with the later time seen: deleting or rewinding one copy never moves time back. */
export function stricterRecord(a: ClockRecord | null, b: ClockRecord | null): ClockRecord | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.latest > a.latest ? b : a;
}

function finish(state: ClockState, now: number, reading: DeviceReading, noticed: boolean, askHost = false): ClockResult {
  const record = { ...state.record, latest: Math.max(state.record.latest, now) };
  const write = noticed || state.written === null || record.latest - state.written >= CLOCK_RECORD_EVERY_MS || record.latest < state.written;
  const next: ClockState = { record, anchor: { trusted: now, monotonic: reading.monotonic }, held: state.held, written: write ? record.latest : state.written };
  return { state: next, now, write, askHost };
}

/** The time to act on at this reading, and what follows from it. */
export function readClock(state: ClockState, reading: DeviceReading): ClockResult {
  let { offset } = state.record;
  const { latest } = state.record;
  // The device's own clock is back where Lesmodus's time is (put right, or set right while the
  // browser was closed): an offset from an earlier set-back is no longer needed.
  if (offset > 0 && reading.wall >= latest - CLOCK_TOLERANCE_MS) offset = 0;
  let candidate = reading.wall + offset;
  let held = state.held;
  let askHost = false;
  // The time this worker's own readings vouch for: the latest time seen, and the monotonic time since the previous reading.
  let floor = latest;

  if (state.anchor !== null) {
    // Whole milliseconds: the monotonic clock has fractions, the times kept have none.
    const expected = state.anchor.trusted + Math.max(0, Math.floor(reading.monotonic - state.anchor.monotonic));
    floor = Math.max(floor, expected);
    if (candidate - expected > CLOCK_TOLERANCE_MS) {
      // Ahead: first undo an earlier set-back; what is left is held until the feed host says.
      const undone = Math.min(Math.max(offset, 0), candidate - expected);
      offset -= undone;
      candidate -= undone;
      if (candidate - expected > CLOCK_TOLERANCE_MS) {
        if (held === null) askHost = true;
        held = { by: candidate - expected, at: expected };
        candidate = expected;
      } else {
        held = null;
      }
    } else {
      // The wall clock is where it should be (again): nothing to hold.
      held = null;
    }
  }

  let setBack = state.record.setBack;
  if (candidate < floor - CLOCK_TOLERANCE_MS) {
    // Behind: first undo an earlier correction of a clock that ran ahead of the feed host's.
    const undone = Math.min(Math.max(-offset, 0), floor - candidate);
    offset += undone;
    candidate += undone;
  }
  if (candidate < floor - CLOCK_TOLERANCE_MS) {
    // Set back: time goes on from where it was.
    const by = floor - candidate;
    offset += by;
    candidate = floor;
    setBack = { by, at: floor };
  }
  const now = Math.max(candidate, latest);
  const noticed = askHost || setBack !== state.record.setBack || (held === null && offset !== state.record.offset);
  // While a jump is held, the offset is not changed: the held time comes from the monotonic clock.
  const record = { ...state.record, offset: held === null ? offset : state.record.offset, setBack };
  return finish({ ...state, record, held }, now, reading, noticed, askHost);
}

/**
 * The feed host's clock (its Date header, at this reading). When it differs
 * from the time Lesmodus acts on by more than the tolerance, or a forward
 * jump is held, the host's time wins: it is the reference, so the latest
 * time seen follows it, also backwards.
 */
export function hostTime(state: ClockState, host: number, reading: DeviceReading): ClockResult {
  const current = readClock(state, reading);
  if (Math.abs(host - current.now) <= CLOCK_TOLERANCE_MS && current.state.held === null) return current;
  // What the device's clock says (with what Lesmodus knew of it), against the host's.
  const difference = host - (reading.wall + current.state.record.offset);
  const corrected = Math.abs(difference) > CLOCK_TOLERANCE_MS ? { by: Math.abs(difference), at: current.now, ahead: difference < 0 } : current.state.record.corrected;
  const record: ClockRecord = { ...current.state.record, offset: host - reading.wall, latest: host, corrected };
  return finish({ ...current.state, record, held: null }, host, reading, true);
}

/** No feed host answered about a held forward jump: it is taken as it is (it cannot be told from sleep). */
export function releaseHeld(state: ClockState, reading: DeviceReading): ClockResult {
  if (state.held === null) return readClock(state, reading);
  const released: ClockState = { ...state, held: null, anchor: null };
  return readClock(released, reading);
}

/**
 * A signed time (an accepted document's issuedAt): the time is at least
 * that. Beyond the tolerance the device's clock is behind, and the offset
 * takes it up. Not noted as tampering: the teacher's clock may simply run a
 * little fast (documents from more than a few minutes ahead are refused).
 */
export function atLeast(state: ClockState, time: number, reading: DeviceReading): ClockResult {
  const current = readClock(state, reading);
  if (time <= current.now + CLOCK_TOLERANCE_MS || current.state.held !== null) return current;
  const record: ClockRecord = { ...current.state.record, offset: current.state.record.offset + (time - current.now), latest: time };
  return finish({ ...current.state, record }, time, reading, true);
}

/** "1 h 2 min", "45 min", "3 d 4 h". */
export function formatJump(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${Math.max(rest, 1)} min`;
}

/** "10:14" on the day of `now`, "2026-02-28 10:14" on another, in `timeZone`: when something was noticed, for the status page. */
export function formatWhen(at: number, now: number, timeZone: string): string {
  const local = localParts(at, timeZone);
  const time = `${String(Math.floor(local.minutes / 60)).padStart(2, '0')}:${String(local.minutes % 60).padStart(2, '0')}`;
  return localParts(now, timeZone).date === local.date ? time : `${local.date} ${time}`;
}

/** The clock's notes for the status page (English, for IT), for jumps of the last week. */
export function clockNotes(record: ClockRecord, now: number, timeZone: string): string[] {
  const notes: string[] = [];
  const recent = (jump: ClockJump | null): jump is ClockJump => jump !== null && now - jump.at < CLOCK_NOTE_DAYS * DAY;
  if (recent(record.setBack)) {
    notes.push(`clock: the device clock was set back by ${formatJump(record.setBack.by)} at ${formatWhen(record.setBack.at, now, timeZone)}; Lesmodus keeps time from its latest reading`);
  }
  if (recent(record.corrected)) {
    notes.push(
      `clock: the device clock was ${formatJump(record.corrected.by)} ${record.corrected.ahead ? 'ahead of' : 'behind'} the class feed host's at ${formatWhen(record.corrected.at, now, timeZone)}; Lesmodus keeps the feed host's time`,
    );
  }
  return notes;
}
