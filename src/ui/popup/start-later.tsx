/**
 * "Start later" for a class (teacher devices with a class feed): a preset,
 * and a time today or the timetable's next period; the lesson is published
 * now and every student browser starts it by itself at that time, also
 * offline. The running lesson goes on until then. With the next period
 * chosen for the teacher (its own preset, when the timetable names one the
 * popup knows), it is one click after unlocking; otherwise a lesson, a time
 * and the button: three.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { Preset } from '../../core/schemas';
import { formatTime, language, t } from '../shared/text';
import type { TeacherRequest } from './teacher-actions';

const MINUTE = 60_000;
/** A preset without a length of its own lasts this long (as in the popup's other ways to start one). */
const DEFAULT_MINUTES = 45;

/** When the lesson starts: a time of day today (as typed), or the timetable's next period. */
type When = { readonly kind: 'time'; readonly time: string } | { readonly kind: 'period'; readonly startsAt: number; readonly endsAt: number };

/** The instant of "HH:MM" today on this device's clock, or null when nothing valid is typed. */
export function todayAt(time: string, now: number): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) return null;
  const at = new Date(now);
  at.setHours(Number(match[1]), Number(match[2]), 0, 0);
  return at.getTime();
}

function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** "Tue 3 Mar": the day of an instant that is not today. */
export function formatDay(instant: number): string {
  return new Intl.DateTimeFormat(language(), { weekday: 'short', day: 'numeric', month: 'short' }).format(instant);
}

/** "10:30", or "Tue 3 Mar 10:30" when it is not today. */
export function formatWhen(instant: number, now: number): string {
  return sameDay(instant, now) ? formatTime(instant) : `${formatDay(instant)} ${formatTime(instant)}`;
}

function presetsOf(status: Status): Preset[] {
  const seen = new Set<string>();
  return [...status.presets.it, ...status.presets.local].filter((preset) => !seen.has(preset.id) && seen.add(preset.id) !== undefined);
}

interface StartLaterProps {
  readonly status: Status;
  readonly classId: string;
  readonly now: number;
  readonly busy: boolean;
  readonly send: (request: TeacherRequest, success: (next: Status) => string) => Promise<boolean>;
}

export function StartLater({ status, classId, now, busy, send }: StartLaterProps) {
  const presets = presetsOf(status);
  const next = status.timetable.next !== null && status.timetable.next.startsAt > now ? status.timetable.next : null;
  const periodPreset = next !== null ? presets.find((preset) => preset.id === next.period.preset) : undefined;
  const [presetId, setPresetId] = useState<string>(() => periodPreset?.id ?? presets[0]?.id ?? '');
  const [when, setWhen] = useState<When>(() => (next !== null ? { kind: 'period', startsAt: next.startsAt, endsAt: next.endsAt } : { kind: 'time', time: '' }));
  const [problem, setProblem] = useState<string | null>(null);
  const preset = presets.find((entry) => entry.id === presetId) ?? presets[0];

  if (preset === undefined) {
    return (
      <section class="start-later" aria-labelledby="later-title">
        <h2 id="later-title">{t('laterTitle')}</h2>
        <p class="hint">{t('laterNoPresets')}</p>
      </section>
    );
  }

  const startsAt = when.kind === 'period' ? when.startsAt : todayAt(when.time, now);
  const maxMinutes = status.settings.maxLessonMinutes;
  const minutes = Math.min(when.kind === 'period' ? Math.max(1, Math.round((when.endsAt - when.startsAt) / MINUTE)) : (preset.minutes ?? DEFAULT_MINUTES), maxMinutes);
  // The button names the lesson and the time: the teacher sees what starts when, also with one preset (no choice shown).
  const label =
    startsAt === null
      ? t('laterStart', preset.title)
      : sameDay(startsAt, now)
        ? t('laterStartAt', [preset.title, formatTime(startsAt)])
        : t('laterStartAtDay', [preset.title, formatDay(startsAt), formatTime(startsAt)]);

  const schedule = () => {
    if (startsAt === null) {
      setProblem(t('laterTimeMissing'));
      return;
    }
    // Checked here for an answer at once; the background checks it again (and the 7 days ahead).
    if (startsAt <= now) {
      setProblem(t('errorStartPast'));
      return;
    }
    setProblem(null);
    const lesson = { title: preset.title, mode: preset.mode, sites: [...preset.sites], embeds: [...preset.embeds], minutes, presetId: preset.id, startsAt };
    void send({ type: 'startLesson', classId, applyHere: false, lesson }, () => t('noticeScheduled', [classId, preset.title, formatWhen(startsAt, now)]));
  };

  return (
    <section class="start-later" aria-labelledby="later-title">
      <h2 id="later-title">{t('laterTitle')}</h2>
      {presets.length > 1 && (
        <div class="row">
          <label for="later-preset">{t('laterLessonLabel')}</label>
          <select id="later-preset" value={preset.id} onChange={(event) => setPresetId(event.currentTarget.value)}>
            {presets.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.title}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="row">
        <label for="later-time">{t('laterTimeLabel')}</label>
        <input
          id="later-time"
          type="time"
          value={when.kind === 'time' ? when.time : sameDay(when.startsAt, now) ? formatTime(when.startsAt) : ''}
          aria-describedby="later-problem"
          onInput={(event) => setWhen({ kind: 'time', time: event.currentTarget.value })}
        />
      </div>
      {next !== null && (
        <label class="choice">
          <input
            type="checkbox"
            checked={when.kind === 'period'}
            onChange={(event) => {
              if (!event.currentTarget.checked) {
                setWhen({ kind: 'time', time: '' });
                return;
              }
              setWhen({ kind: 'period', startsAt: next.startsAt, endsAt: next.endsAt });
              if (periodPreset !== undefined) setPresetId(periodPreset.id);
            }}
          />
          <span>{sameDay(next.startsAt, now) ? t('laterNextPeriod', formatTime(next.startsAt)) : t('laterNextPeriodDay', [formatDay(next.startsAt), formatTime(next.startsAt)])}</span>
        </label>
      )}
      <p id="later-problem" class="field-error" aria-live="polite">
        {problem}
      </p>
      <div class="actions">
        <button type="button" disabled={busy} onClick={schedule}>
          {label}
        </button>
      </div>
    </section>
  );
}
