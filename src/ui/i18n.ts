/** Strings and formats for the UI, in the browser's language (Dutch or English). */
import { t, uiLanguage } from '../platform/i18n';

export { t };

/** "nl" for Dutch browsers, "en" otherwise. */
export function language(): 'nl' | 'en' {
  return uiLanguage().toLowerCase().startsWith('nl') ? 'nl' : 'en';
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

/** A link target for a site pattern, or null when the pattern names no single site (such as "*"). */
export function siteLink(pattern: string): string | null {
  const trimmed = pattern.trim();
  if (trimmed === '*' || trimmed === '') return null;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return /^https?:\/\//i.test(trimmed) ? trimmed : null;
  return `https://${trimmed.replace(/^\./, '')}`;
}
