import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import { backgroundConnector } from '../connector';
import { language, t } from '../i18n';

function StatusPage() {
  const [status, setStatus] = useState<Status | null>(null);
  useEffect(() => {
    void backgroundConnector.request({ type: 'getStatus' }).then(setStatus);
  }, []);
  if (!status) return <p>{t('loading')}</p>;
  return (
    <main>
      <h1>Lesmodus {status.version}</h1>
      <pre>{JSON.stringify(status, null, 2)}</pre>
    </main>
  );
}

document.documentElement.lang = language();
const app = document.getElementById('app');
if (app) render(<StatusPage />, app);
