import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import { backgroundConnector } from '../connector';
import { formatTime, language, t } from '../i18n';

function Popup() {
  const [status, setStatus] = useState<Status | null>(null);
  useEffect(() => {
    void backgroundConnector.request({ type: 'getStatus' }).then(setStatus);
  }, []);
  if (!status) return <p>{t('loading')}</p>;
  const lesson = status.active;
  return (
    <main>
      <h1>{lesson ? lesson.title : t('statusNoLesson')}</h1>
      {lesson?.endsAt != null && <p>{t('statusUntil', formatTime(lesson.endsAt))}</p>}
    </main>
  );
}

document.documentElement.lang = language();
const app = document.getElementById('app');
if (app) render(<Popup />, app);
