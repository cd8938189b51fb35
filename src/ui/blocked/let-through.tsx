/**
 * "Let one student through": on the blocked page a teacher enters the PIN
 * and picks 5, 10 or 15 minutes; the background lets the blocked site's host
 * through on this device until then, and the tab goes back to the page.
 * The PIN is checked for this one request and no unlocked session is left
 * behind on a page that is in front of a student.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { Connector } from '../channel';
import { errorText } from '../errors';
import { formatTime, t } from '../text';
import { useFocusOnMount } from '../use-focus';

const CHOICES = [5, 10, 15] as const;
type Minutes = (typeof CHOICES)[number];

export interface LetThroughProps {
  readonly connector: Connector;
  readonly blockedUrl: string;
  readonly status: Status;
  readonly now: () => number;
  /** Called once the site is let through; the page then goes back to it. */
  readonly onAllowed: (url: string) => void;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

export function LetThrough({ connector, blockedUrl, status, now, onAllowed }: LetThroughProps) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <p class="let-through-open">
        <button type="button" class="link-button" aria-expanded="false" onClick={() => setOpen(true)}>
          {t('letThroughOpen')}
        </button>
      </p>
    );
  }
  return <LetThroughForm connector={connector} blockedUrl={blockedUrl} status={status} now={now} onAllowed={onAllowed} onCancel={() => setOpen(false)} />;
}

function LetThroughForm({ connector, blockedUrl, status, now, onAllowed, onCancel }: LetThroughProps & { onCancel: () => void }) {
  const [pin, setPin] = useState('');
  const [minutes, setMinutes] = useState<Minutes>(10);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [until, setUntil] = useState<number | null>(null);
  const pinRef = useFocusOnMount<HTMLInputElement>();
  const host = hostOf(blockedUrl);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy || pin === '') return;
    setBusy(true);
    setError(null);
    try {
      await connector.request({ type: 'allowTemporarily', pin, url: blockedUrl, minutes });
      setUntil(now() + minutes * 60_000);
      onAllowed(blockedUrl);
    } catch (failure) {
      setError(errorText(failure, status, now()));
      setPin('');
    } finally {
      setBusy(false);
    }
  };

  if (until !== null) {
    return (
      <p class="note" role="status">
        {t('letThroughDone', [host, formatTime(until)])}
      </p>
    );
  }

  return (
    <form class="let-through" aria-labelledby="let-through-title" onSubmit={submit}>
      <h2 id="let-through-title">{t('letThroughTitle')}</h2>
      <p class="hint" id="let-through-hint">
        {t('letThroughHint', host)}
      </p>
      <div class="field">
        <label for="let-through-pin">{t('pinLabel')}</label>
        <input ref={pinRef} id="let-through-pin" type="password" autocomplete="off" aria-describedby="let-through-hint" value={pin} onInput={(event) => setPin(event.currentTarget.value)} />
      </div>
      <fieldset class="field">
        <legend>{t('letThroughHowLong')}</legend>
        <div class="chip-group">
          {CHOICES.map((choice) => (
            <label key={choice} class="choice-chip">
              <input type="radio" name="let-through-minutes" value={String(choice)} checked={minutes === choice} onChange={() => setMinutes(choice)} />
              <span>{t('minutesShort', String(choice))}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || pin === ''}>
          {t('letThroughSubmit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
