/**
 * What every form that asks for the teacher's PIN shares — the popup's
 * unlock, first-PIN and change-PIN forms and the blocked page's "let one
 * student through": the PIN field, one request at a time with what went
 * wrong shown, and the submit and cancel buttons. The background checks the
 * PIN; these forms only ask.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import { errorText } from './errors';
import { t } from './text';
import { useFocusOnMount } from './use-focus';
import { useNow } from './use-now';

interface PinFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  readonly autoFocus?: boolean;
  readonly describedBy?: string;
}

/** A labelled password field: the browser neither shows nor remembers a PIN. */
export function PinField({ id, label, value, onInput, autoFocus, describedBy }: PinFieldProps) {
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

/** What went wrong: a problem of the form's own as written, or the background's failure worded with a live countdown. */
export function FormError({ error, status, now }: { error: unknown; status: Status; now: () => number }) {
  const time = useNow(now);
  if (error === null) return null;
  return (
    <p class="error" role="alert">
      {typeof error === 'string' ? error : errorText(error, status, time)}
    </p>
  );
}

/** The form's own action, then Cancel. */
export function FormActions({ submitLabel, disabled, onCancel }: { submitLabel: string; disabled: boolean; onCancel: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary" disabled={disabled}>
        {submitLabel}
      </button>
      <button type="button" onClick={onCancel}>
        {t('cancel')}
      </button>
    </div>
  );
}

interface SendOptions {
  /** A problem found before asking (a PIN too short, say): shown instead of sending. */
  readonly check?: () => string | null;
  /** Runs after a failure is shown (to empty the PIN field, say). */
  readonly onFailure?: () => void;
}

export interface PinRequest {
  /** A request is on its way: the submit button is disabled and another submit is ignored. */
  readonly busy: boolean;
  /** What went wrong last, for `FormError`; null when nothing did. */
  readonly error: unknown;
  /** Sends one request unless one is on its way; its failure is kept in `error`. */
  readonly send: (request: () => Promise<void>, options?: SendOptions) => Promise<void>;
}

interface PinRequestOptions {
  /** What to show before anything is sent (a wait still running from earlier wrong PINs). */
  readonly initialError?: () => unknown;
  /** What a failure is shown as; by default the failure itself, which `FormError` words. */
  readonly describe?: (failure: unknown) => unknown;
}

/** One request at a time from a PIN form, and what went wrong. */
export function usePinRequest({ initialError = () => null, describe = (failure) => failure }: PinRequestOptions = {}): PinRequest {
  const [error, setError] = useState<unknown>(initialError);
  const [busy, setBusy] = useState(false);

  const send = async (request: () => Promise<void>, { check, onFailure }: SendOptions = {}): Promise<void> => {
    if (busy) return;
    const problem = check?.() ?? null;
    if (problem !== null) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await request();
    } catch (failure) {
      setError(describe(failure));
      onFailure?.();
    } finally {
      setBusy(false);
    }
  };

  return { busy, error, send };
}
