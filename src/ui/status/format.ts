/** Dates and numbers on the status page, in the UI's language. */
import { language } from '../shared/text';

/** "2 Mar 2026, 10:05" / "2 mrt 2026, 10:05"; the device's time zone unless one is given. */
export function formatDateTime(instant: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(instant);
}

/** "50,000" / "50.000". */
export function formatCount(count: number): string {
  return new Intl.NumberFormat(language()).format(count);
}
