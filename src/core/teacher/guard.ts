/**
 * The pure part of the background's own record of the values it wrote
 * (background/teacher/guard.ts): comparing a stored value with the record,
 * and what the status page says when one was put back.
 */
import { formatWhen } from '../rules/clock';

const DAY = 24 * 60 * 60_000;
/** How long a value put back stays on the status page. */
export const TAMPER_NOTE_DAYS = 7;

/** JSON with object keys in order: two values read back from different stores compare equal when they are. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const WHAT: Readonly<Record<string, string>> = {
  lesson: 'the lesson set on this device',
  exceptions: 'the list of sites let through on this device',
};

/** The status page's notes (English, for IT) for values put back in the last week, times in `timeZone`. */
export function tamperNotes(tampered: Readonly<Record<string, number>>, now: number, timeZone: string): string[] {
  return Object.entries(tampered)
    .filter(([, at]) => now - at < TAMPER_NOTE_DAYS * DAY)
    .sort(([, a], [, b]) => a - b)
    .map(
      ([key, at]) =>
        `tampering: ${WHAT[key] ?? `"${key}"`} was changed outside Lesmodus at ${formatWhen(at, now, timeZone)} (developer tools on an extension page?); Lesmodus put back what it had written`,
    );
}
