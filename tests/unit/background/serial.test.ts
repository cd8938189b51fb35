// The serial queue the background's read-modify-write of storage goes through.
import { describe, expect, it } from '@jest/globals';
import { serialQueue } from '../../../src/background/serial';

/** A task that records when it starts and ends, and finishes when the test says so. */
function task(log: string[], name: string) {
  let finish: (value: string) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const run = () => {
    log.push(`${name} start`);
    return new Promise<string>((done, reject) => {
      finish = (value) => {
        log.push(`${name} end`);
        done(value);
      };
      fail = (error) => {
        log.push(`${name} failed`);
        reject(error);
      };
    });
  };
  return { run, finish: (value: string) => finish(value), fail: (error: Error) => fail(error) };
}

const turn = () => new Promise((done) => setImmediate(done));

describe('serialQueue', () => {
  it('runs one task at a time, in the order given, each with its own result', async () => {
    const serially = serialQueue();
    const log: string[] = [];
    const a = task(log, 'a');
    const b = task(log, 'b');
    const first = serially(a.run);
    const second = serially(b.run);
    await turn();
    expect(log).toEqual(['a start']);
    a.finish('A');
    await expect(first).resolves.toBe('A');
    await turn();
    expect(log).toEqual(['a start', 'a end', 'b start']);
    b.finish('B');
    await expect(second).resolves.toBe('B');
  });

  it('goes on after a task fails, and hands the failure to its caller only', async () => {
    const serially = serialQueue();
    const log: string[] = [];
    const a = task(log, 'a');
    const b = task(log, 'b');
    const first = serially(a.run);
    const second = serially(b.run);
    await turn();
    a.fail(new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    await turn();
    b.finish('B');
    await expect(second).resolves.toBe('B');
    expect(log).toEqual(['a start', 'a failed', 'b start', 'b end']);
  });

  it('keeps separate queues apart', async () => {
    const log: string[] = [];
    const a = task(log, 'a');
    const b = task(log, 'b');
    void serialQueue()(a.run);
    void serialQueue()(b.run);
    await turn();
    expect(log).toEqual(['a start', 'b start']);
    a.finish('A');
    b.finish('B');
  });
});
