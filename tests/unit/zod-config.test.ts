/**
 * src/zod-config.ts, which webpack evaluates first in every bundle: with it,
 * parsing Lesmodus's schemas never constructs a Function (an extension's
 * CSP forbids it). Without it, zod probes `new Function` and compiles its
 * object parsers: the control case shows this check can see that.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const POLICY = JSON.parse(readFileSync(join(__dirname, '../../manifest/examples/secondary-school.json'), 'utf8')) as unknown;
const RealFunction = globalThis.Function;

/** zod keeps its settings on globalThis, shared by every copy of it: each case starts without them. */
function forgetZodSettings(): void {
  const settings = (globalThis as { __zod_globalConfig?: Record<string, unknown> }).__zod_globalConfig;
  if (settings) delete settings.jitless;
}

afterEach(() => {
  globalThis.Function = RealFunction;
  forgetZodSettings();
});

/** Loads fresh copies of zod and the modules (the first being `first`, if any), parses a policy, and counts Function constructions. */
function functionsConstructed(first: string | null): number {
  let constructed = 0;
  globalThis.Function = new Proxy(RealFunction, {
    construct(target, args) {
      constructed += 1;
      return Reflect.construct(target, args) as object;
    },
  });
  forgetZodSettings();
  // Fresh modules, so that zod decides again and the schemas are built again: require() is the way.
  /* eslint-disable @typescript-eslint/no-require-imports */
  jest.isolateModules(() => {
    if (first !== null) require(first);
    const { parsePolicy } = require('../../src/core/policy/policy') as typeof import('../../src/core/policy/policy');
    for (let i = 0; i < 3; i += 1) expect(parsePolicy(POLICY).ok).toBe(true);
  });
  /* eslint-enable @typescript-eslint/no-require-imports */
  return constructed;
}

describe('zod in the extension', () => {
  it('never compiles code when src/zod-config.ts comes first', () => {
    expect(functionsConstructed('../../src/zod-config')).toBe(0);
  });

  it('would compile code without it (the control case)', () => {
    expect(functionsConstructed(null)).toBeGreaterThan(0);
  });
});
