import { describe, expect, it } from '@jest/globals';
import {
  CLOCK_TOLERANCE_MS,
  ClockRecordSchema,
  atLeast,
  clockNotes,
  formatJump,
  hostTime,
  readClock,
  releaseHeld,
  startClock,
  stricterRecord,
  type ClockRecord,
  type ClockResult,
  type ClockState,
} from '../../../../src/core/rules/clock';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/** Monday 2 March 2026, 10:14 in Amsterdam. */
const T0 = Date.UTC(2026, 2, 2, 9, 14);

const record = (over: Partial<ClockRecord> = {}): ClockRecord => ({ latest: T0, offset: 0, setBack: null, corrected: null, ...over });

/**
 * A device whose real time and monotonic clock move together (unless it
 * sleeps), and whose wall clock is real time plus `skew` (what the person
 * at it set).
 */
class Device {
  real = T0;
  /** With fractions, as performance.now() has them. */
  monotonic = 5_000.375;
  skew = 0;

  reading() {
    return { wall: this.real + this.skew, monotonic: this.monotonic };
  }

  pass(ms: number): void {
    this.real += ms;
    // A monotonic clock counts in fractions of a millisecond.
    this.monotonic += ms + 0.125;
  }

  sleep(ms: number): void {
    this.real += ms;
  }
}

/** A worker's clock over a device: each read returns the time acted on. */
class Worker {
  state: ClockState;
  last!: ClockResult;

  constructor(
    readonly device: Device,
    stored: ClockRecord | null = null,
  ) {
    this.state = startClock(stored, device.reading());
  }

  private take(result: ClockResult): number {
    this.state = result.state;
    this.last = result;
    // What is kept must read back as it was written: whole milliseconds.
    expect(ClockRecordSchema.parse(result.state.record)).toEqual(result.state.record);
    expect(Number.isInteger(result.now)).toBe(true);
    return result.now;
  }

  read(): number {
    return this.take(readClock(this.state, this.device.reading()));
  }

  host(time = this.device.real): number {
    return this.take(hostTime(this.state, time, this.device.reading()));
  }

  release(): number {
    return this.take(releaseHeld(this.state, this.device.reading()));
  }

  signed(time: number): number {
    return this.take(atLeast(this.state, time, this.device.reading()));
  }
}

describe('the time to act on', () => {
  it('is the device clock while nothing is wrong, written at most once a minute', () => {
    const device = new Device();
    const worker = new Worker(device, record({ latest: T0 - H }));
    const writes: boolean[] = [];
    for (let step = 0; step < 6; step += 1) {
      expect(worker.read()).toBe(device.real);
      writes.push(worker.last.write);
      device.pass(30 * S);
    }
    expect(writes).toEqual([true, false, true, false, true, false]);
    expect(worker.state.record).toMatchObject({ offset: 0, setBack: null });
  });

  it('never goes back for a small step back (an NTP correction), and says nothing of it', () => {
    const device = new Device();
    const worker = new Worker(device, record());
    worker.read();
    device.skew = -30 * S;
    expect(worker.read()).toBe(T0);
    device.pass(40 * S);
    expect(worker.read()).toBe(T0 + 10 * S);
    expect(worker.state.record.setBack).toBeNull();
  });

  describe('when the clock is set back an hour', () => {
    it('while Lesmodus runs: goes on from where it was, at the real pace, and notes it once', () => {
      const device = new Device();
      const worker = new Worker(device, record());
      worker.read();
      device.pass(10 * S);
      device.skew = -H;
      expect(worker.read()).toBe(device.real);
      expect(worker.last.write).toBe(true);
      expect(worker.state.record).toMatchObject({ offset: H, setBack: { by: H, at: device.real } });
      device.pass(45 * M);
      expect(worker.read()).toBe(device.real);
      expect(worker.last.write).toBe(true);
      expect(worker.state.record.setBack).toEqual({ by: H, at: T0 + 10 * S });
    });

    it('and put right again: the device clock is taken as it is, with no jump held', () => {
      const device = new Device();
      const worker = new Worker(device, record());
      worker.read();
      device.skew = -H;
      device.pass(M);
      worker.read();
      device.skew = 0;
      device.pass(M);
      expect(worker.read()).toBe(device.real);
      expect(worker.last.askHost).toBe(false);
      expect(worker.state.record.offset).toBe(0);
    });

    it('while the browser was closed: a new worker goes on from the latest time seen', () => {
      const device = new Device();
      device.skew = -H;
      device.pass(5 * M);
      const worker = new Worker(device, record({ latest: T0 }));
      expect(worker.read()).toBe(T0);
      expect(worker.state.record).toMatchObject({ offset: H - 5 * M, setBack: { by: H - 5 * M, at: T0 } });
      device.pass(M);
      expect(worker.read()).toBe(T0 + M);
    });

    it('and left so past a browser restart longer than the jump: taken as it is (it cannot be told from a clock set right)', () => {
      const device = new Device();
      const first = new Worker(device, record());
      first.read();
      device.skew = -H;
      first.read();
      device.pass(3 * H);
      const second = new Worker(device, first.state.record);
      expect(second.read()).toBe(device.real - H);
      expect(second.state.record.offset).toBe(0);
    });

    it('after its record was wiped: the feed host puts it right', () => {
      const device = new Device();
      device.skew = -H;
      const worker = new Worker(device, null);
      expect(worker.read()).toBe(T0 - H);
      expect(worker.host()).toBe(T0);
      expect(worker.state.record).toMatchObject({ offset: H, corrected: { by: H, ahead: false } });
      device.pass(M);
      expect(worker.read()).toBe(T0 + M);
    });
  });

  describe('when the clock jumps ahead an hour while Lesmodus runs', () => {
    function jumped(): { device: Device; worker: Worker } {
      const device = new Device();
      const worker = new Worker(device, record());
      worker.read();
      device.pass(20 * S);
      device.skew = H;
      return { device, worker };
    }

    it('holds the time (the previous time plus the monotonic time since) and asks the feed host, once', () => {
      const { device, worker } = jumped();
      expect(worker.read()).toBe(device.real);
      expect(worker.last.askHost).toBe(true);
      expect(worker.state.held).toEqual({ by: H, at: device.real });
      device.pass(5 * S);
      expect(worker.read()).toBe(device.real);
      expect(worker.last.askHost).toBe(false);
    });

    it('keeps the host\'s time when the host says the clock was set forward, and notes it', () => {
      const { device, worker } = jumped();
      worker.read();
      expect(worker.host()).toBe(device.real);
      expect(worker.state.held).toBeNull();
      expect(worker.state.record).toMatchObject({ offset: -H, corrected: { by: H, ahead: true } });
      device.pass(10 * M);
      expect(worker.read()).toBe(device.real);
      // Set right again: the device clock going back to the host's time is no tampering.
      device.skew = 0;
      device.pass(M);
      expect(worker.read()).toBe(device.real);
      expect(worker.state.record).toMatchObject({ offset: 0, setBack: null });
    });

    it('takes the jump when the host confirms it (a laptop waking from sleep), without a note', () => {
      const device = new Device();
      const worker = new Worker(device, record());
      worker.read();
      device.sleep(H);
      expect(worker.read()).toBe(T0);
      expect(worker.last.askHost).toBe(true);
      expect(worker.host()).toBe(T0 + H);
      expect(worker.state.record).toMatchObject({ offset: 0, corrected: null });
    });

    it('takes the jump when no feed host answers', () => {
      const { device, worker } = jumped();
      worker.read();
      expect(worker.release()).toBe(device.real + H);
      expect(worker.state.held).toBeNull();
      device.pass(S);
      expect(worker.read()).toBe(device.real + H);
    });

    it('first undoes an earlier set-back: setting the clock back and then forward gains nothing', () => {
      const device = new Device();
      const worker = new Worker(device, record());
      worker.read();
      device.skew = -H;
      device.pass(M);
      worker.read();
      device.skew = -30 * M;
      device.pass(M);
      expect(worker.read()).toBe(device.real);
      expect(worker.last.askHost).toBe(false);
      expect(worker.state.record.offset).toBe(30 * M);
    });
  });

  it("follows the feed host's clock only beyond the tolerance", () => {
    const device = new Device();
    const worker = new Worker(device, record());
    worker.read();
    expect(worker.host(T0 + CLOCK_TOLERANCE_MS)).toBe(T0);
    expect(worker.last.write).toBe(false);
    expect(worker.host(T0 - CLOCK_TOLERANCE_MS - S)).toBe(T0 - CLOCK_TOLERANCE_MS - S);
    expect(worker.state.record.corrected).toMatchObject({ ahead: true });
  });

  it('is at least a signed time beyond the tolerance, without calling it tampering', () => {
    const device = new Device();
    const worker = new Worker(device, record());
    worker.read();
    expect(worker.signed(T0 + M)).toBe(T0);
    expect(worker.signed(T0 + 4 * M)).toBe(T0 + 4 * M);
    expect(worker.state.record).toMatchObject({ offset: 4 * M, setBack: null });
  });
});

describe('the two copies of the record', () => {
  it.each([
    ['none', null, null, null],
    ['only the first', record(), null, record()],
    ['only the second', null, record(), record()],
    ['the later time seen', record({ latest: T0, offset: 5 }), record({ latest: T0 + M }), record({ latest: T0 + M })],
    ['the first on a tie', record({ offset: 5 }), record(), record({ offset: 5 })],
  ])('%s: the stricter counts', (_name, a, b, expected) => {
    expect(stricterRecord(a, b)).toEqual(expected);
  });
});

describe('the status page', () => {
  it.each([
    [30 * S, '1 min'],
    [45 * M, '45 min'],
    [H, '1 h'],
    [H + 2 * M + 20 * S, '1 h 2 min'],
    [3 * 24 * H + 4 * H, '3 d 4 h'],
  ])('words a jump of %i ms as %s', (ms, text) => {
    expect(formatJump(ms)).toBe(text);
  });

  it('says when the clock was set back, in the school time zone, for a week', () => {
    const jumps = record({ setBack: { by: H + 2 * M, at: T0 }, corrected: { by: 3 * H, at: T0 - 2 * 24 * H, ahead: true } });
    expect(clockNotes(jumps, T0 + M, 'Europe/Amsterdam')).toEqual([
      'clock: the device clock was set back by 1 h 2 min at 10:14; Lesmodus keeps time from its latest reading',
      "clock: the device clock was 3 h ahead of the class feed host's at 2026-02-28 10:14; Lesmodus keeps the feed host's time",
    ]);
    expect(clockNotes(jumps, T0 + 8 * 24 * H, 'Europe/Amsterdam')).toEqual([]);
    expect(clockNotes(record(), T0, 'Europe/Amsterdam')).toEqual([]);
  });
});
