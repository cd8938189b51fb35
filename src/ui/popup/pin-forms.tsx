/**
 * The teacher's PIN: unlocking the panel, setting the first PIN on a device
 * where IT set none (with a confirmation field), and changing it with the old
 * one. The background checks everything; these forms only ask.
 */
import { useState } from 'preact/hooks';
import type { Status, UnlockResult } from '../../core/protocol';
import { BackgroundError, type Connector } from '../channel';
import { errorText } from '../errors';
import { t } from '../text';
import { useFocusOnMount } from '../use-focus';
import { useNow } from '../use-now';

const MIN_PIN = 4;

interface FormProps {
  readonly connector: Connector;
  readonly status: Status;
  readonly now: () => number;
  readonly onUnlocked: (unlock: UnlockResult) => void;
  readonly onCancel: () => void;
  /** Shown above the form, e.g. "the panel locked itself". */
  readonly message?: string | null;
}

function PinField({ id, label, value, onInput, autoFocus, describedBy }: { id: string; label: string; value: string; onInput: (value: string) => void; autoFocus?: boolean; describedBy?: string }) {
  const ref = useFocusOnMount<HTMLInputElement>(autoFocus === true);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        type="password"
        autocomplete="off"
        value={value}
        aria-describedby={describedBy}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </div>
  );
}

function FormError({ error, status, now }: { error: unknown; status: Status; now: () => number }) {
  const time = useNow(now);
  if (error === null) return null;
  return (
    <p class="error" role="alert">
      {typeof error === 'string' ? error : errorText(error, status, time)}
    </p>
  );
}

/** "Teacher" → the PIN → the panel. */
export function UnlockForm({ connector, status, now, onUnlocked, onCancel, message }: FormProps) {
  const [pin, setPin] = useState('');
  // A wait still running from earlier wrong PINs (perhaps before a restart) shows at once.
  const lockedUntil = status.teacher.lockedUntil;
  const [error, setError] = useState<unknown>(() => (lockedUntil !== null && lockedUntil > now() ? new BackgroundError('rate-limited', '', lockedUntil) : null));
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy || pin === '') return;
    setBusy(true);
    setError(null);
    try {
      onUnlocked(await connector.request({ type: 'unlock', pin }));
    } catch (failure) {
      setError(failure);
      setPin('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel-form" onSubmit={submit} aria-labelledby="unlock-title">
      <h1 id="unlock-title">{t('teacherTitle')}</h1>
      {message && <p class="note">{message}</p>}
      <PinField id="pin" label={t('pinLabel')} value={pin} onInput={setPin} autoFocus />
      <FormError error={error} status={status} now={now} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {t('unlock')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function checkNewPin(pin: string, repeat: string): string | null {
  if (pin.length < MIN_PIN) return t('pinTooShort', String(MIN_PIN));
  if (pin !== repeat) return t('pinMismatch');
  return null;
}

/** The first PIN on a device where IT's policy sets none. */
export function SetPinForm({ connector, status, now, onUnlocked, onCancel }: FormProps) {
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const problem = checkNewPin(pin, repeat);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onUnlocked(await connector.request({ type: 'setPin', newPin: pin }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel-form" onSubmit={submit} aria-labelledby="setpin-title">
      <h1 id="setpin-title">{t('setPinTitle')}</h1>
      <p class="hint" id="setpin-hint">
        {t('setPinHint', String(MIN_PIN))}
      </p>
      <PinField id="new-pin" label={t('newPinLabel')} value={pin} onInput={setPin} autoFocus describedBy="setpin-hint" />
      <PinField id="repeat-pin" label={t('repeatPinLabel')} value={repeat} onInput={setRepeat} />
      <FormError error={error} status={status} now={now} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {t('setPin')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

/** Changing a PIN set on this device: the old one, then the new one twice. */
export function ChangePinForm({ connector, status, now, onUnlocked, onCancel, token }: FormProps & { token: string }) {
  const [oldPin, setOldPin] = useState('');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const problem = oldPin === '' ? t('pinOldMissing') : checkNewPin(pin, repeat);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onUnlocked(await connector.request({ type: 'setPin', token, oldPin, newPin: pin }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel-form" onSubmit={submit} aria-labelledby="changepin-title">
      <h1 id="changepin-title">{t('changePinTitle')}</h1>
      <PinField id="old-pin" label={t('oldPinLabel')} value={oldPin} onInput={setOldPin} autoFocus />
      <PinField id="new-pin" label={t('newPinLabel')} value={pin} onInput={setPin} />
      <PinField id="repeat-pin" label={t('repeatPinLabel')} value={repeat} onInput={setRepeat} />
      <FormError error={error} status={status} now={now} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {t('changePin')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
