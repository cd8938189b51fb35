/**
 * "Copy diagnostics": the whole status as plain text on the clipboard, with
 * a confirmation in a live region. Where the clipboard refuses (no focus, a
 * browser setting), the text appears in a field, selected, to copy by hand.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import { language, t } from '../shared/text';
import { diagnosticsText } from './diagnostics';

export interface CopyServices {
  /** Puts text on the clipboard; rejects when the browser refuses. */
  copyText(text: string): Promise<void>;
  /** The browser's user agent string, for the diagnostics. */
  readonly userAgent: string;
}

type CopyState = { readonly kind: 'idle' } | { readonly kind: 'copied' } | { readonly kind: 'failed'; readonly text: string };

export function CopyDiagnostics({ status, services }: { status: Status; services: CopyServices }) {
  const [state, setState] = useState<CopyState>({ kind: 'idle' });
  const field = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    if (state.kind !== 'failed') return;
    field.current?.focus();
    field.current?.select();
  }, [state]);

  const copy = async (): Promise<void> => {
    const text = diagnosticsText(status, { userAgent: services.userAgent, language: language() });
    try {
      await services.copyText(text);
      setState({ kind: 'copied' });
    } catch {
      setState({ kind: 'failed', text });
    }
  };

  return (
    <div class="copy-diagnostics">
      <button type="button" class="primary" aria-describedby="copy-hint" onClick={() => void copy()}>
        {t('statusPageCopy')}
      </button>
      <p id="copy-hint" class="hint">
        {t('statusPageCopyHint')}
      </p>
      <p class="notice" role="status">
        {state.kind === 'copied' ? t('statusPageCopied') : ''}
      </p>
      {state.kind === 'failed' && (
        <div class="copy-fallback">
          <p class="error" role="alert">
            {t('statusPageCopyFailed')}
          </p>
          <label for="diagnostics-text">{t('statusPageDiagnostics')}</label>
          <textarea id="diagnostics-text" ref={field} readOnly rows={14} value={state.text} />
        </div>
      )}
    </div>
  );
}
