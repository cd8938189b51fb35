/**
 * No import cycles in src/: a module that (through others) imports itself
 * runs half-initialised in one of the two orders, and the layers of DESIGN.md
 * only point one way if no path leads back. Every relative import counts,
 * `import type` included: a type-only edge today is a value edge tomorrow.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '../../..');
const SRC = join(ROOT, 'src');

/**
 * Cycles that exist today and are being removed elsewhere, each written as
 * its files in sorted order joined by " <-> ". Empty this list when the fix
 * lands: the test below fails for an entry whose cycle is gone.
 */
const KNOWN_CYCLES_BEING_FIXED: readonly string[] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names, as TypeScript's bundler resolution finds it; null for a non-source file (JSON). */
function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (/\.tsx?$/.test(candidate) && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  if (existsSync(base)) return null;
  throw new Error(`${relative(ROOT, from)} imports ${specifier}, which does not resolve`);
}

/** Every file's relative imports (static, type-only, re-exports and dynamic import()). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = importedFiles
        .map((imported) => imported.fileName)
        .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
        .map((specifier) => resolveRelative(file, specifier))
        .filter((target): target is string => target !== null);
      return [file, [...new Set(targets)]];
    }),
  );
}

/** Strongly connected components with a cycle in them (Tarjan), each as its sorted files. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const name = (component: readonly string[]): string => component.map((file) => relative(ROOT, file)).join(' <-> ');

describe('import cycles', () => {
  it.each([
    ['a chain', { a: ['b'], b: ['c'], c: [] }, []],
    ['two files', { a: ['b'], b: ['a'] }, ['a <-> b']],
    ['a file importing itself', { a: ['a'] }, ['a']],
    ['a longer loop beside a chain', { a: ['b'], b: ['c'], c: ['a'], d: ['a'] }, ['a <-> b <-> c']],
  ])('finds the cycles of %s', (_what, edges, expected) => {
    const graph = new Map(Object.entries(edges).map(([from, to]) => [join(ROOT, from), to.map((target) => join(ROOT, target))]));
    expect(cycles(graph).map(name).sort()).toEqual(expected);
  });

  const found = cycles(importGraph(sourceFiles(SRC))).map(name);

  it('src/ has none but those being fixed', () => {
    expect(found.filter((cycle) => !KNOWN_CYCLES_BEING_FIXED.includes(cycle))).toEqual([]);
  });

  it('lists only cycles that still exist as being fixed', () => {
    expect(KNOWN_CYCLES_BEING_FIXED.filter((cycle) => !found.includes(cycle))).toEqual([]);
  });
});
