/**
 * Strings and formats for the UI, in the browser's language (Dutch or
 * English). Pure: the strings come from a message source that the page's
 * entry installs (`./i18n` installs the browser's _locales), so components
 * render the same in a test, with a stand-in that reads the locale files.
 */
import type { RejectReason } from '../../core/feed/document';
import type { FeedProblem } from '../../core/feed/problem';

/** Where localised strings come from: the browser's i18n API, or a test stand-in. */
export interface MessageSource {
  /** The message for `key` with $1…$9 substituted; '' when there is none. */
  getMessage(key: string, substitutions?: string | string[]): string;
  /** The UI language, such as "nl" or "en-GB". */
  getUILanguage(): string;
}

/** Until a page installs a source, keys show as themselves: a missing wiring is visible, not silent. */
let source: MessageSource = { getMessage: () => '', getUILanguage: () => 'en' };

/** Installs the message source; each page's entry calls this once, before rendering. */
export function setMessageSource(next: MessageSource): void {
  source = next;
}

/** IT's `schoolType`: which word the Dutch screens use for the teacher. */
export type SchoolType = 'primary' | 'secondary';

let schoolType: SchoolType | null = null;

/**
 * Sets how messages name the teacher, from the status a page shows
 * (`status.settings.schoolType`); null or undefined: the neutral word.
 * Each page calls it with every status it renders.
 */
export function setSchoolType(type: SchoolType | null | undefined): void {
  schoolType = type ?? null;
}

/**
 * The word for "teacher" in the messages: Dutch primary schools say
 * leerkracht, secondary schools docent, and leraar is neutral; English says
 * teacher for all three. A message writes `{teacher}` or `{teachers}` where
 * the word goes (`{Teacher}`, `{Teachers}` with a capital), and the words
 * are the messages teacherNoun… and teachersNoun…, with Primary or Secondary
 * after them for the two school types. This is the one place that picks the
 * word.
 */
const TEACHER_MARKER = /\{([Tt])eacher(s?)\}/g;

function teacherWord(plural: boolean, capital: boolean): string {
  const variant = schoolType === 'primary' ? 'Primary' : schoolType === 'secondary' ? 'Secondary' : '';
  const word = source.getMessage(`${plural ? 'teachersNoun' : 'teacherNoun'}${variant}`) || `teacher${plural ? 's' : ''}`;
  return capital ? word.charAt(0).toUpperCase() + word.slice(1) : word;
}

/** A private-use character that stands in for "{" in substitutions while the markers are replaced. */
const HIDDEN_BRACE = '\uE000';

/** The localised message for `key`, or the key itself when there is none; the teacher named as the school names them. */
export function t(key: string, substitutions?: string | string[]): string {
  // A substitution is the user's text (a lesson's title, a pause message): its braces are kept out of the markers' way.
  const hide = (text: string): string => text.replaceAll('{', HIDDEN_BRACE);
  const hidden = substitutions === undefined ? undefined : typeof substitutions === 'string' ? hide(substitutions) : substitutions.map(hide);
  const message = source.getMessage(key, hidden) || key;
  if (!message.includes('{') && !message.includes(HIDDEN_BRACE)) return message;
  return message.replace(TEACHER_MARKER, (_marker, first: string, plural: string) => teacherWord(plural === 's', first === 'T')).replaceAll(HIDDEN_BRACE, '{');
}

/**
 * "nl" when the messages are Dutch, "en" otherwise: the language of the words
 * shown, which times and plurals then follow. Asked of the messages
 * themselves (messagesLanguage), since the browser's UI language can differ
 * from the locale it picked the messages from (headless Chromium says en-US
 * whatever --lang says); the UI language only when that message is missing.
 */
export function language(): 'nl' | 'en' {
  const tag = source.getMessage('messagesLanguage') || source.getUILanguage();
  return tag.toLowerCase().startsWith('nl') ? 'nl' : 'en';
}

/** A local time of day, "10:15". */
export function formatTime(instant: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) }).format(instant);
}

/** A countdown, "1:05:09" or "4:09". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/**
 * A message for a count, in the form the language needs: `${key}One` for
 * one ("1 site"), `${key}Other` for any other count ("0 sites", "2 sites").
 * Chrome's i18n has no plurals, so each counted message is two messages;
 * the count is $1 and `more` follow it. Dutch and English both have just
 * these two forms; Intl.PluralRules picks between them.
 */
export function plural(key: string, count: number, more: readonly string[] = []): string {
  const form = new Intl.PluralRules(language()).select(count) === 'one' ? 'One' : 'Other';
  return t(`${key}${form}`, [String(count), ...more]);
}

/**
 * What a countdown shows for `ms` left: whole minutes, rounded up ("45 min
 * left" from 44:01 to 45:00), and seconds only in the last minute; and how
 * long until it shows something else, so a page can re-render then rather
 * than every second. `changesIn` is null once nothing is left.
 */
export function timeLeft(ms: number): { readonly unit: 'minutes' | 'seconds'; readonly value: number; readonly changesIn: number | null } {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    // The next value shows once fewer seconds are left than the minutes shown now cover: 59 s for "1 min".
    const nextAt = minutes === 1 ? 59_000 : (minutes - 1) * 60_000;
    return { unit: 'minutes', value: minutes, changesIn: ms - nextAt };
  }
  return { unit: 'seconds', value: seconds, changesIn: seconds === 0 ? null : ms - (seconds - 1) * 1000 };
}

/** "45 min left" / "nog 45 min", and in the last minute "59 seconds left" / "nog 59 seconden". */
export function formatTimeLeft(ms: number): string {
  const left = timeLeft(ms);
  return plural(left.unit === 'minutes' ? 'timeLeftMinutes' : 'timeLeftSeconds', left.value);
}

/**
 * A link target for a site pattern: https:// in front of a bare site, and
 * only http(s) addresses; null when the pattern names no single page to
 * open (`*`, a wildcard, another scheme).
 */
export function siteLink(pattern: string): string | null {
  const trimmed = pattern.trim().replace(/^\./, '');
  if (trimmed === '' || trimmed.includes('*')) return null;
  const address = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    const url = new URL(address);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' ? address : null;
  } catch {
    return null;
  }
}

/** A site pattern's problem in the teacher's language, from core's error code. */
export function patternProblem(code: string, params: readonly string[]): string {
  const key = `patternError${code.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())}`;
  return t(key, [...params]);
}

/** The message of each class-feed problem code: a Record, so a new code without a message is a type error. */
const FEED_PROBLEM_KEYS: Record<FeedProblem['code'], string> = {
  refused: 'feedProblemRefused',
  credentials: 'feedProblemCredentials',
  http: 'feedProblemHttp',
  unreachable: 'feedProblemUnreachable',
  newer: 'feedProblemNewer',
  clock: 'feedProblemClock',
};

/**
 * Why talking to the class feed failed, in the reader's language, from core's
 * code. An entry stored before there were codes has only the English
 * `lastError`, which is shown as it is rather than nothing.
 */
export function feedProblemText(problem: FeedProblem | null, lastError: string | null): string {
  if (problem === null) return lastError ?? '';
  return t(FEED_PROBLEM_KEYS[problem.code], 'status' in problem ? String(problem.status) : undefined);
}

const FEED_REJECTION_KEYS: Record<RejectReason, string> = {
  malformed: 'feedRejectionMalformed',
  oversized: 'feedRejectionOversized',
  'unknown-key': 'feedRejectionUnknownKey',
  'bad-signature': 'feedRejectionBadSignature',
  'wrong-class': 'feedRejectionWrongClass',
  'key-not-for-class': 'feedRejectionKeyNotForClass',
  invalid: 'feedRejectionInvalid',
  replayed: 'feedRejectionReplayed',
  expired: 'feedRejectionExpired',
  future: 'feedRejectionFuture',
  'too-far-ahead': 'feedRejectionTooFarAhead',
};

/** Why a student device refused a class document, in the reader's language (the English detail stays in the diagnostics). */
export function feedRejectionText(reason: RejectReason): string {
  return t(FEED_REJECTION_KEYS[reason]);
}
