/**
 * A problem of IT's policy in the reader's language, from the code and
 * parameters core attaches to it (core/problem-codes.ts). A problem without
 * a code, or with one this version has no words for (a policy checked by a
 * newer Lesmodus), is shown as core wrote it, in English. The English text
 * and the path are always in "copy diagnostics", for searching.
 */
import type { Status } from '../../core/protocol';
import { patternProblem, t } from '../shared/text';

type Problem = Status['policy']['errors'][number];

/** `preset-unknown` -> `policyErrorPresetUnknown`. */
export function policyProblemKey(code: string): string {
  return `policyError${code.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())}`;
}

export function policyProblemText(problem: Problem): string {
  const { code, params = [] } = problem;
  if (code === undefined) return problem.message;
  const pattern = /^pattern-(.+)$/.exec(code);
  const key = pattern ? policyProblemKey(pattern[1]!).replace(/^policyError/, 'patternError') : policyProblemKey(code);
  const text = pattern ? patternProblem(pattern[1]!, params) : t(key, [...params]);
  // t() answers a key it has no message for with the key itself.
  return text === key ? problem.message : text;
}
