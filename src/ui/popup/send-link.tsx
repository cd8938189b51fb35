/**
 * "Send a link to the class" during the class's running lesson (teacher
 * devices with a class feed): the link opens once on every student browser
 * of the class, when the lesson lets students open it — the background
 * refuses one the lesson would block, and says so. Paste and send: two
 * clicks after unlocking.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import { formatTime, t } from '../shared/text';
import { publishedTo } from './class-choice';
import type { TeacherRequest } from './teacher-actions';
import { webAddressOf } from './web-address';

interface SendLinkProps {
  readonly status: Status;
  readonly classId: string;
  readonly busy: boolean;
  readonly send: (request: TeacherRequest, success: (next: Status) => string) => Promise<boolean>;
}

export function SendLink({ status, classId, busy, send }: SendLinkProps) {
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const { lesson, link } = publishedTo(status, classId);
  // The last link sent during this lesson.
  const sent = link != null && lesson !== null && link.sentAt >= lesson.startsAt ? link : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (typed.trim() === '') {
      setProblem(t('linkMissing'));
      return;
    }
    const url = webAddressOf(typed);
    if (url === null) {
      setProblem(t('errorLinkInvalid'));
      return;
    }
    setProblem(null);
    if (await send({ type: 'sendLink', classId, url }, () => t('noticeLinkSent', classId))) setTyped('');
  };

  return (
    // noValidate: "example.com/page" is no URL to the browser's own check, which would stop the form without a word of ours.
    <form class="send-link" aria-labelledby="link-title" noValidate onSubmit={(event) => void submit(event)}>
      <h2 id="link-title">{t('linkTitle')}</h2>
      <div class="field">
        <label for="class-link">{t('linkLabel')}</label>
        <input
          id="class-link"
          type="url"
          inputMode="url"
          autocomplete="off"
          spellcheck={false}
          maxLength={2048}
          value={typed}
          aria-describedby="class-link-hint class-link-problem"
          onInput={(event) => setTyped(event.currentTarget.value)}
        />
        <p id="class-link-hint" class="hint">
          {t('linkHint')}
        </p>
      </div>
      <p id="class-link-problem" class="field-error" aria-live="polite">
        {problem}
      </p>
      {sent && <p class="note">{t('linkLastSent', [formatTime(sent.sentAt), sent.url])}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t('linkSend')}
        </button>
      </div>
    </form>
  );
}
