import { describe, expect, it } from '@jest/globals';
import { runBench, type Bench } from '../../bench/runner';

const A = { name: 'a', unit: 'ms', budget: { limit: 10, better: 'lower' } } as const;
const B = { name: 'b', unit: 'ms', budget: { limit: 10, better: 'lower' } } as const;

function bench(run: Bench['run'], timeoutMs = 5000): Bench {
  return { id: 'x', figures: [A, B], timeoutMs, run };
}

describe('runBench', () => {
  it('keeps what was measured before an error and reports the rest as failed with that error', async () => {
    const results = await runBench(
      bench(async (context) => {
        context.record('a', 5);
        throw new Error('browser gone');
      }),
      () => undefined,
    );
    expect(results.map((result) => [result.name, result.status, result.error])).toEqual([
      ['a', 'met', undefined],
      ['b', 'failed', 'browser gone'],
    ]);
  });

  it('runs every clean-up in reverse order, also after an error and when one of them fails', async () => {
    const order: string[] = [];
    const logs: string[] = [];
    await runBench(
      bench(async (context) => {
        context.defer(() => void order.push('first'));
        context.defer(() => {
          order.push('second');
          throw new Error('could not remove');
        });
        context.defer(async () => void order.push('third'));
        throw new Error('stop');
      }),
      (message) => logs.push(message),
    );
    expect(order).toEqual(['third', 'second', 'first']);
    expect(logs).toEqual(['[x] clean-up failed: could not remove']);
  });

  it('stops waiting for a bench at its timeout, cleans up and reports the figures it did not measure', async () => {
    let cleaned = false;
    const results = await runBench(
      bench(async (context) => {
        let release: () => void = () => undefined;
        context.defer(() => {
          cleaned = true;
          release();
        });
        context.record('a', 20);
        // Waits until its clean-up closes what it waits on, as a closed browser ends a pending evaluate.
        await new Promise<void>((done) => {
          release = done;
        });
      }, 50),
      () => undefined,
    );
    expect(cleaned).toBe(true);
    expect(results.map((result) => [result.status, result.error])).toEqual([
      ['missed', undefined],
      ['failed', 'timed out after 50 ms'],
    ]);
  });

  it('reports a bench that ends without measuring a figure', async () => {
    const results = await runBench(
      bench(async (context) => context.fail('a', new Error('tab stranded'))),
      () => undefined,
    );
    expect(results.map((result) => [result.status, result.error])).toEqual([
      ['failed', 'tab stranded'],
      ['failed', 'the bench ended without measuring it'],
    ]);
  });
});
