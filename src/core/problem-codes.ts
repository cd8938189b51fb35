/**
 * Stable codes for validation problems, beside their English messages. The
 * command line and the diagnostics keep the English text; the status page
 * words a problem from its code and parameters in the reader's language,
 * and shows the English text of a problem that has no code.
 *
 * A check attaches its code in one of two ways:
 * - a custom issue (`ctx.addIssue`, `.refine`) carries it in its params:
 *   {@link codedIssue}, {@link codedParams};
 * - a check that takes only a message (`.regex`, `.min`) registers its fixed
 *   message with the code: {@link coded}.
 * zod's own issues (a wrong type, a number too small) get a generic code
 * from what zod reports about them.
 */
import type { z } from 'zod';
import type { PatternErrorCode } from './rules/patterns';

/** Codes for what zod itself checks: types, bounds, fixed values. */
export const GENERIC_CODES = [
  'required',
  'type',
  'integer',
  'at-least',
  'at-most',
  'min-length',
  'max-length',
  'min-items',
  'max-items',
  'must-be',
  'one-of',
] as const;

/** Codes of Lesmodus's own checks of IT's policy and of the shapes it shares with lessons. */
export const POLICY_CODES = [
  'forbidden-key',
  'unchecked',
  'period-order',
  'date-entry',
  'calendar-date',
  'calendar-date-in-entry',
  'date-range-order',
  'date-to-before-from',
  'date-name-long',
  'date-format',
  'class-id',
  'feed-url-placeholder',
  'feed-url-invalid',
  'feed-url-http',
  'feed-url-scheme',
  'feed-url-credentials',
  'feed-url-placeholder-host',
  'feed-url-placeholder-fragment',
  'single-line',
  'key-part',
  'not-on-curve',
  'private-key',
  'key-id',
  'key-name',
  'key-classes-empty',
  'duplicate-class',
  'duplicate-preset-id',
  'duplicate-key-id',
  'preset-unknown',
  'classes-without-feed',
  'authorization-on-student',
  'school-key-on-student',
  'teacher-keys-missing',
  'school-key-mismatch',
  'id-characters',
  'time-format',
  'time-zone',
  'base64',
  'title-missing',
  'tab-limit',
  'test-allowlist',
  'category-id',
  'category-unknown',
  'category-every-site',
  'category-whole-tld',
  'duplicate-category-id',
  'category-shipped-change',
  'category-own-needs',
] as const;

export type ProblemCode = (typeof GENERIC_CODES)[number] | (typeof POLICY_CODES)[number] | `pattern-${PatternErrorCode}`;

/** A problem's code and the values its message names, in order. */
export interface CodedProblem {
  readonly code: ProblemCode;
  readonly params: readonly string[];
}

/** The params of a custom issue that carry a code (for `.refine(check, { message, params })`). */
export function codedParams(code: ProblemCode, values: readonly string[] = []): { problem: ProblemCode; values: readonly string[] } {
  return { problem: code, values };
}

/** A custom issue with a code, for `ctx.addIssue`. */
export function codedIssue(code: ProblemCode, message: string, values: readonly string[] = [], path?: Array<string | number>) {
  return { code: 'custom' as const, message, params: codedParams(code, values), ...(path ? { path } : {}) };
}

const FIXED = new Map<string, CodedProblem>();

/**
 * Registers a fixed message with its code and returns the message, for a
 * check whose options take only a message: `.regex(RE, coded('key-id', '…'))`.
 * Only for messages written once in the source, never for text built from
 * input (that goes through {@link codedIssue}).
 */
export function coded(code: ProblemCode, message: string, values: readonly string[] = []): string {
  FIXED.set(message, { code, params: values });
  return message;
}

function isCodedParams(value: unknown): value is { problem: ProblemCode; values: readonly string[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { problem, values } = value as { problem?: unknown; values?: unknown };
  return typeof problem === 'string' && Array.isArray(values) && values.every((item) => typeof item === 'string');
}

const quoted = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** The code for one of zod's own issues, from what zod reports about it; null when there is none. */
function genericCode(issue: z.core.$ZodIssue): CodedProblem | null {
  switch (issue.code) {
    case 'invalid_type':
      // zod words a missing field as "expected string, received undefined".
      if (/ received undefined$/.test(issue.message)) return { code: 'required', params: [issue.expected] };
      return issue.expected === 'int' ? { code: 'integer', params: [] } : { code: 'type', params: [issue.expected] };
    case 'too_small': {
      const bound = String(issue.minimum);
      // An exclusive bound (`.positive()`) has no code: the policy has none.
      if (issue.origin === 'number') return issue.inclusive === false ? null : { code: 'at-least', params: [bound] };
      if (issue.origin === 'string') return { code: 'min-length', params: [bound] };
      if (issue.origin === 'array') return { code: 'min-items', params: [bound] };
      return null;
    }
    case 'too_big': {
      const bound = String(issue.maximum);
      if (issue.origin === 'number') return issue.inclusive === false ? null : { code: 'at-most', params: [bound] };
      if (issue.origin === 'string') return { code: 'max-length', params: [bound] };
      if (issue.origin === 'array') return { code: 'max-items', params: [bound] };
      return null;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? { code: 'must-be', params: [quoted(issue.values[0])] } : { code: 'one-of', params: [issue.values.map(quoted).join(', ')] };
    default:
      return null;
  }
}

/** The code of a zod issue: its own, its registered message's, or zod's generic one; null when it has none. */
export function problemCodeOf(issue: z.core.$ZodIssue): CodedProblem | null {
  if (issue.code === 'custom' && isCodedParams(issue.params)) return { code: issue.params.problem, params: [...issue.params.values] };
  return FIXED.get(issue.message) ?? genericCode(issue);
}
