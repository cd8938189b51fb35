/**
 * The teacher's PIN: unlocking the panel, setting the first PIN on a device
 * where IT set none (with a confirmation field), and changing it with the old
 * one. The background checks everything; these forms only ask. The field,
 * the error and the buttons are shared with the blocked page (../pin-form).
 */
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Status, UnlockResult } from '../../core/protocol';
import { MIN_PIN_CHARACTERS, MIN_PIN_DIGITS, pinStrength, strongEnough } from '../../core/teacher/pin';
import { BackgroundError, type Connector } from '../shared/channel';
import { FormActions, FormError, PinField, usePinRequest, type PinRequest } from '../shared/pin-form';
import { t } from '../shared/text';
import { useFocusOnMount } from '../shared/use-focus';

interface FormProps {
  readonly connector: Connector;
  readonly status: Status;
  readonly now: () => number;
  readonly onUnlocked: (unlock: UnlockResult) => void;
  readonly onCancel: () => void;
  /** Shown above the form, e.g. "the panel locked itself". */
  readonly message?: string | null;
}

interface PanelFormProps {
  readonly titleId: string;
  readonly title: string;
  readonly submitLabel: string;
  readonly request: PinRequest;
  readonly status: Status;
  readonly now: () => number;
  readonly onSubmit: () => void;
  readonly onCancel: () => void;
  readonly children: ComponentChildren;
}

/** One of the PIN screens of the panel: its title, its fields, what went wrong, and its buttons. */
function PanelForm({ titleId, title, submitLabel, request, status, now, onSubmit, onCancel, children }: PanelFormProps) {
  const submit = (event: Event) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form class="panel-form" onSubmit={submit} aria-labelledby={titleId}>
      <h1 id={titleId}>{title}</h1>
      {children}
      <FormError error={request.error} status={status} now={now} />
      <FormActions submitLabel={submitLabel} disabled={request.busy} onCancel={onCancel} />
    </form>
  );
}

/** "Teacher" → the PIN → the panel. */
export function UnlockForm({ connector, status, now, onUnlocked, onCancel, message }: FormProps) {
  const [pin, setPin] = useState('');
  // A wait still running from earlier wrong PINs (perhaps before a restart) shows at once.
  const lockedUntil = status.teacher.lockedUntil;
  const request = usePinRequest({ initialError: () => (lockedUntil !== null && lockedUntil > now() ? new BackgroundError('rate-limited', '', lockedUntil) : null) });

  const submit = () => {
    if (pin === '') return;
    void request.send(async () => onUnlocked(await connector.request({ type: 'unlock', pin })), { onFailure: () => setPin('') });
  };

  return (
    <PanelForm titleId="unlock-title" title={t('teacherTitle')} submitLabel={t('unlock')} request={request} status={status} now={now} onSubmit={submit} onCancel={onCancel}>
      {message && <p class="note">{message}</p>}
      <PinField id="pin" label={t('pinLabel')} value={pin} onInput={setPin} autoFocus />
    </PanelForm>
  );
}

/** The rule the background keeps too (core/teacher/pin.ts): at least 6 digits, or 8 characters. */
function checkNewPin(pin: string, repeat: string): string | null {
  if (!strongEnough(pinStrength(pin))) return t('pinTooWeak', [String(MIN_PIN_DIGITS), String(MIN_PIN_CHARACTERS)]);
  if (pin !== repeat) return t('pinMismatch');
  return null;
}

/**
 * The first PIN on a device where IT's policy sets none. A student device
 * never gets one here (the background refuses it too): whoever clicks
 * Teacher first on a student's laptop must not choose the PIN, so the popup
 * says who sets it instead.
 */
export function SetPinForm(props: FormProps) {
  return props.status.teacher.studentDevice === true ? <PinFromSchool onCancel={props.onCancel} /> : <ChoosePinForm {...props} />;
}

/** A student device without a PIN from IT: nothing to type, only who to ask. */
function PinFromSchool({ onCancel }: { onCancel: () => void }) {
  const back = useFocusOnMount<HTMLButtonElement>(true);
  return (
    <section class="panel-form" aria-labelledby="pin-from-school-title">
      <h1 id="pin-from-school-title">{t('teacherTitle')}</h1>
      <p class="note" role="status">
        {t('studentDevicePin')}
      </p>
      <div class="actions">
        <button type="button" ref={back} onClick={onCancel}>
          {t('back')}
        </button>
      </div>
    </section>
  );
}

function ChoosePinForm({ connector, status, now, onUnlocked, onCancel }: FormProps) {
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const request = usePinRequest();

  const submit = () =>
    void request.send(async () => onUnlocked(await connector.request({ type: 'setPin', newPin: pin })), { check: () => checkNewPin(pin, repeat) });

  return (
    <PanelForm titleId="setpin-title" title={t('setPinTitle')} submitLabel={t('setPin')} request={request} status={status} now={now} onSubmit={submit} onCancel={onCancel}>
      <p class="hint" id="setpin-hint">
        {t('setPinHint', [String(MIN_PIN_DIGITS), String(MIN_PIN_CHARACTERS)])}
      </p>
      <PinField id="new-pin" label={t('newPinLabel')} value={pin} onInput={setPin} autoFocus describedBy="setpin-hint" />
      <PinField id="repeat-pin" label={t('repeatPinLabel')} value={repeat} onInput={setRepeat} />
    </PanelForm>
  );
}

/** Changing a PIN set on this device: the old one, then the new one twice. */
export function ChangePinForm({ connector, status, now, onUnlocked, onCancel, token }: FormProps & { token: string }) {
  const [oldPin, setOldPin] = useState('');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const request = usePinRequest();

  const submit = () =>
    void request.send(async () => onUnlocked(await connector.request({ type: 'setPin', token, oldPin, newPin: pin })), {
      check: () => (oldPin === '' ? t('pinOldMissing') : checkNewPin(pin, repeat)),
    });

  return (
    <PanelForm titleId="changepin-title" title={t('changePinTitle')} submitLabel={t('changePin')} request={request} status={status} now={now} onSubmit={submit} onCancel={onCancel}>
      <PinField id="old-pin" label={t('oldPinLabel')} value={oldPin} onInput={setOldPin} autoFocus />
      <PinField id="new-pin" label={t('newPinLabel')} value={pin} onInput={setPin} />
      <PinField id="repeat-pin" label={t('repeatPinLabel')} value={repeat} onInput={setRepeat} />
    </PanelForm>
  );
}
