/**
 * "Let one student through": on the blocked page a teacher enters the PIN
 * and picks 5, 10 or 15 minutes; the background lets the blocked site's host
 * through on this device until then, and the tab goes back to the page.
 * The PIN is checked for this one request and no unlocked session is left
 * behind on a page that is in front of a student.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { Connector } from '../shared/channel';
import { errorText } from '../shared/errors';
import { FormActions, FormError, PinField, usePinRequest } from '../shared/pin-form';
import { formatTime, t } from '../shared/text';

const CHOICES = [5, 10, 15] as const;
type Minutes = (typeof CHOICES)[number];

interface LetThroughProps {
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
  const [until, setUntil] = useState<number | null>(null);
  // Worded once, when the request fails (the popup's PIN forms word a failure anew every second, as a countdown).
  const request = usePinRequest({ describe: (failure) => errorText(failure, status, now()) });
  const host = hostOf(blockedUrl);

  const submit = (event: Event) => {
    event.preventDefault();
    if (pin === '') return;
    void request.send(
      async () => {
        await connector.request({ type: 'allowTemporarily', pin, url: blockedUrl, minutes });
        setUntil(now() + minutes * 60_000);
        onAllowed(blockedUrl);
      },
      { onFailure: () => setPin('') },
    );
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
      <PinField id="let-through-pin" label={t('pinLabel')} value={pin} onInput={setPin} autoFocus describedBy="let-through-hint" />
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
      <FormError error={request.error} status={status} now={now} />
      <FormActions submitLabel={t('letThroughSubmit')} disabled={request.busy || pin === ''} onCancel={onCancel} />
    </form>
  );
}
