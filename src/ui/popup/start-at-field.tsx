/**
 * "Start at" in the lesson editor for a class: a time today, or empty to
 * start now. A lesson with a start goes to the class at once and waits; the
 * students' browsers start it by themselves (start-later.tsx does the same
 * for a preset, and offers the timetable's next period).
 */
import { t } from '../shared/text';
import { todayAt } from './start-later';

/** The start the field asks for: null to start now, 'passed' for a time today that is over, else the instant. */
export function startAtOf(typed: string, now: number): number | 'passed' | null {
  const at = typed === '' ? null : todayAt(typed, now);
  if (at === null) return null;
  return at <= now ? 'passed' : at;
}

export function StartAtField({ value, onChange }: { value: string; onChange: (time: string) => void }) {
  return (
    <div class="field">
      <label for="editor-start-at">{t('startAtLabel')}</label>
      <input id="editor-start-at" type="time" value={value} aria-describedby="editor-start-at-hint" onInput={(event) => onChange(event.currentTarget.value)} />
      <p id="editor-start-at-hint" class="hint">
        {t('startAtHint')}
      </p>
    </div>
  );
}
