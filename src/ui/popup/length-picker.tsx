/**
 * How long a lesson lasts: chips for the usual lengths, or an end time.
 * Lengths longer than IT allows are not offered.
 */
import { t } from '../shared/text';

const LENGTHS = [15, 30, 45, 50, 60, 90] as const;

export type Length = { readonly kind: 'minutes'; readonly minutes: number } | { readonly kind: 'until'; readonly time: string };

const MINUTE = 60_000;

/**
 * The end instant of "until HH:MM" today, on this device's clock, or null
 * when the time is not later than now.
 */
function endOfToday(time: string, now: number): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) return null;
  const end = new Date(now);
  end.setHours(Number(match[1]), Number(match[2]), 0, 0);
  return end.getTime() > now ? end.getTime() : null;
}

/** The lesson's length as the protocol wants it, or a problem to show. */
export function lengthToRequest(length: Length, now: number, maxMinutes: number): { minutes: number } | { endsAt: number } | { problem: string } {
  if (length.kind === 'minutes') return { minutes: length.minutes };
  if (length.time === '') return { problem: t('lengthMissing') };
  const endsAt = endOfToday(length.time, now);
  if (endsAt === null) return { problem: t('lengthPassed') };
  if (endsAt - now > maxMinutes * MINUTE) return { problem: t('errorTooLong', String(maxMinutes)) };
  return { endsAt };
}

export function LengthPicker({ value, onChange, maxMinutes, name }: { value: Length; onChange: (length: Length) => void; maxMinutes: number; name: string }) {
  return (
    <fieldset class="field length-picker">
      <legend>{t('lengthLabel')}</legend>
      <div class="chip-group">
        {LENGTHS.filter((minutes) => minutes <= maxMinutes).map((minutes) => (
          <label key={minutes} class="choice-chip">
            <input type="radio" name={name} value={String(minutes)} checked={value.kind === 'minutes' && value.minutes === minutes} onChange={() => onChange({ kind: 'minutes', minutes })} />
            <span>{t('minutesShort', String(minutes))}</span>
          </label>
        ))}
      </div>
      <div class="row until-row">
        <label for={`${name}-until`}>{t('lengthUntil')}</label>
        <input
          id={`${name}-until`}
          type="time"
          value={value.kind === 'until' ? value.time : ''}
          onInput={(event) => onChange({ kind: 'until', time: event.currentTarget.value })}
        />
      </div>
    </fieldset>
  );
}
