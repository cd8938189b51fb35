/**
 * The time the background acts on (core/rules/clock.ts says how it is
 * decided): the device's clock, never before the latest time seen, put
 * right by the class feed host's clock. Every part of the background that
 * needs "now" asks `trustedNow()`: the rules flow, the teacher's requests,
 * the PIN waits and the class feed's checks.
 *
 * The record (the latest time seen, the offset, the jumps noticed) is kept
 * in storage.local and in its second copy in IndexedDB, the stricter of the
 * two counting: deleting one folder of the profile does not move time back.
 * It is written when something was noticed, and otherwise at most once a
 * minute.
 */
import { KEYS } from '../core/state';
import { ClockRecordSchema, atLeast, hostTime, readClock, releaseHeld, startClock, stricterRecord, type ClockRecord, type ClockResult, type ClockState } from '../core/rules/clock';
import { readDeviceClock } from '../platform/clock';
import { readSecondCopies, writeSecondCopies } from '../platform/second-copy';
import { checkStored, readLocal, writeLocal } from '../platform/storage';
import { serialQueue } from './serial';

let state: ClockState | null = null;
let loading: Promise<void> | null = null;
const writes = serialQueue();
/** Called when the time acted on jumped (a held jump settled, the feed host's clock won): the rules must be judged again. */
const jumpListeners: Array<() => void> = [];
/** Asked to fetch from the feed host when the clock jumped ahead while the worker ran; resolve once answered (or not). */
const hostAskers: Array<() => Promise<void>> = [];

async function stored(): Promise<ClockRecord | null> {
  const [local, second] = await Promise.all([readLocal(KEYS.clock, ClockRecordSchema.nullable(), null), readSecondCopies([KEYS.clock])]);
  return stricterRecord(local.value, checkStored(KEYS.clock, second[KEYS.clock], ClockRecordSchema.nullable(), null).value);
}

function loaded(): Promise<void> {
  loading ??= stored().then(
    (record) => {
      state ??= startClock(record, readDeviceClock());
    },
    (error: unknown) => {
      console.warn('Lesmodus: the clock record could not be read; starting a new one', error);
      state ??= startClock(null, readDeviceClock());
    },
  );
  return loading;
}

function write(record: ClockRecord): void {
  void writes(() => Promise.all([writeLocal({ [KEYS.clock]: record }), writeSecondCopies({ [KEYS.clock]: record })])).catch((error: unknown) =>
    console.warn('Lesmodus: the clock record could not be written', error),
  );
}

function take(result: ClockResult, jumped: boolean): number {
  state = result.state;
  if (result.write) write(result.state.record);
  if (result.askHost) void askHost();
  if (jumped) for (const listener of jumpListeners) listener();
  return result.now;
}

/** A forward jump is held: ask the feed host; when it has not settled it, take the jump as it is. */
async function askHost(): Promise<void> {
  await Promise.all(hostAskers.map((ask) => ask().catch(() => undefined)));
  if (state?.held) take(releaseHeld(state, readDeviceClock()), true);
}

/** The time to act on, now. */
export async function trustedNow(): Promise<number> {
  await loaded();
  return take(readClock(state!, readDeviceClock()), false);
}

/** Applies what a time from outside (the feed host's, a signed one) says; the rules are judged again when the time acted on moved. */
async function settle(decide: (state: ClockState, reading: ReturnType<typeof readDeviceClock>) => ClockResult): Promise<void> {
  await loaded();
  const reading = readDeviceClock();
  const before = readClock(state!, reading).now;
  const result = decide(state!, reading);
  take(result, result.now !== before);
}

/** The feed host answered with this Date: when it differs from the time acted on, it wins. */
export function noteHostTime(host: number): Promise<void> {
  return settle((current, reading) => hostTime(current, host, reading));
}

/** A document signed at `issuedAt` was accepted: the time is at least that. */
export function noteSignedTime(issuedAt: number): Promise<void> {
  return settle((current, reading) => atLeast(current, issuedAt, reading));
}

/** The clock's record as it stands, for the status page. */
export async function clockRecord(): Promise<ClockRecord> {
  await loaded();
  return state!.record;
}

/** Subscribes to jumps of the time acted on; call at the top level of the service worker. */
export function onClockJump(listener: () => void): void {
  jumpListeners.push(listener);
}

/** Registers who asks the feed host for its clock after a forward jump; call at the top level of the service worker. */
export function askHostOnJump(ask: () => Promise<void>): void {
  hostAskers.push(ask);
}
