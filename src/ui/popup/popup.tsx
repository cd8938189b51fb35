/**
 * The popup: the status for everyone, and behind "Teacher" and the PIN the
 * teacher's panel. It opens on a skeleton with the status card's layout, so
 * there is no flash of empty content while the background answers. The
 * unlock token lives only in this component: closing the popup locks it.
 * On a teacher device with a class feed it also holds the chosen class, and
 * while a publication waits for delivery it asks for the status every few
 * seconds, so "delivered" shows without reopening the popup.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { patternForUrl } from '../../core/rules/patterns';
import type { RequestInput } from '../shared/channel';
import { BackgroundError } from '../shared/channel';
import type { Status, UnlockResult } from '../../core/protocol';
import { setSchoolType, t } from '../shared/text';
import type { ClassChoice, EditorTarget } from './class-choice';
import { deliveryPending, publishingClasses } from './class-panel';
import { LessonEditor } from './lesson-editor';
import type { Length } from './length-picker';
import { ChangePinForm, SetPinForm, UnlockForm } from './pin-forms';
import { nextRedraw, useRedrawClock } from './redraw';
import type { PopupServices } from './services';
import { StatusCard, StatusSkeleton } from './status-card';
import { TeacherPanel } from './teacher-panel';
import type { Act } from './teacher-actions';

type View =
  | { readonly kind: 'status' }
  | { readonly kind: 'unlock'; readonly message?: string }
  | { readonly kind: 'set-pin' }
  | { readonly kind: 'change-pin' }
  | { readonly kind: 'panel' }
  | { readonly kind: 'editor'; readonly target: EditorTarget };

/** The length a new lesson gets unless the teacher picks another: a typical Dutch lesson. */
const DEFAULT_MINUTES = 45;
/** How often the status is asked for while a publication waits for delivery. */
const DELIVERY_REFRESH_MS = 1500;

export function Popup({ services }: { services: PopupServices }) {
  const { connector } = services;
  const [status, setStatus] = useState<Status | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const [view, setView] = useState<View>({ kind: 'status' });
  const [notice, setNotice] = useState<string | null>(null);
  const [tabSite, setTabSite] = useState<string | null>(null);
  const [pickedClass, setPickedClass] = useState<string | null>(null);
  const [applyHere, setApplyHere] = useState(false);
  const now = useRedrawClock(services.now, (at) => nextRedraw(status, at));
  const loading = useRef(false);
  const reloadedFor = useRef<number | null>(null);
  const firstView = useRef(true);
  // Every screen below names the teacher as this school does (leerkracht, docent); before the status, the neutral word.
  setSchoolType(status?.settings.schoolType);

  const load = useCallback(async () => {
    if (loading.current) return;
    loading.current = true;
    try {
      setStatus(await connector.request({ type: 'getStatus' }));
      setLoadFailed(false);
    } catch {
      setLoadFailed(true);
    } finally {
      loading.current = false;
    }
  }, [connector]);

  useEffect(() => {
    void load();
    void services
      .currentTabUrl()
      .then((url) => setTabSite(url ? patternForUrl(url) : null))
      .catch(() => setTabSite(null));
    void services.classChoice
      ?.load()
      .then((classId) => setPickedClass((picked) => picked ?? classId))
      .catch(() => undefined);
  }, [load, services]);

  // Retries happen in the background; until the feed has the document, keep the delivery state shown current.
  const pending = deliveryPending(status);
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setInterval(() => void load(), DELIVERY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [pending, load]);

  // When the rules change by themselves (a lesson ends, a period starts), show the new status.
  // Once per change: a background that has not caught up yet is not asked again and again.
  const nextChange = status?.nextChange ?? null;
  useEffect(() => {
    if (nextChange !== null && now >= nextChange && reloadedFor.current !== nextChange) {
      reloadedFor.current = nextChange;
      void load();
    }
  }, [now, nextChange, load]);

  // A new screen takes the focus to its heading, so keyboard and screen reader users know where they are.
  useEffect(() => {
    if (firstView.current) {
      firstView.current = false;
      return;
    }
    if (view.kind === 'status' || view.kind === 'panel') document.getElementById('status-title')?.focus();
  }, [view.kind]);

  const lockLocally = (message?: string) => {
    setToken(null);
    setView(message ? { kind: 'unlock', message } : { kind: 'status' });
  };

  const act: Act = useCallback(
    async (request) => {
      if (token === null) {
        lockLocally(t('errorLocked'));
        return null;
      }
      try {
        const next = (await connector.request({ ...request, token } as RequestInput)) as Status;
        setStatus(next);
        return next;
      } catch (error) {
        if (error instanceof BackgroundError && error.code === 'locked') {
          lockLocally(t('errorLocked'));
          return null;
        }
        throw error;
      }
    },
    [connector, token],
  );

  const onUnlocked = (unlock: UnlockResult) => {
    setToken(unlock.token);
    setNotice(null);
    setView({ kind: 'panel' });
    void load();
  };

  const lock = async () => {
    const held = token;
    lockLocally();
    setNotice(null);
    if (held) await connector.request({ type: 'lock', token: held }).catch(() => undefined);
  };

  const openTeacher = () => {
    if (!status) return;
    setView(status.teacher.pinSet ? { kind: 'unlock' } : { kind: 'set-pin' });
  };

  const backToPanel = () => setView({ kind: 'panel' });
  const classList = status ? publishingClasses(status) : null;
  const classes: ClassChoice | null =
    classList === null
      ? null
      : {
          classes: classList,
          // The remembered class, while the policy still lists it; else the first.
          classId: pickedClass !== null && classList.includes(pickedClass) ? pickedClass : (classList[0] ?? ''),
          onClass: (classId) => {
            setPickedClass(classId);
            void services.classChoice?.save(classId).catch(() => undefined);
          },
          applyHere,
          onApplyHere: setApplyHere,
        };
  const maxMinutes = status?.settings.maxLessonMinutes ?? DEFAULT_MINUTES;
  const defaultMinutes = Math.min(DEFAULT_MINUTES, maxMinutes);
  const defaultLength: Length = { kind: 'minutes', minutes: defaultMinutes };

  return (
    <>
      <header class="bar">
        <span class="brand">
          <img src="icons/icon-32.png" alt="" width={20} height={20} />
          Lesmodus
        </span>
        {token !== null && (
          <button type="button" onClick={() => void lock()}>
            {t('lock')}
          </button>
        )}
      </header>
      <main>
        {renderView()}
        {/* Quiet, at the bottom: on a student's screen it is no invitation to guess the PIN. */}
        {token === null && view.kind === 'status' && (
          <p class="teacher-entry">
            <button type="button" class="link-button" disabled={status === null} onClick={openTeacher}>
              {t('teacher')}
            </button>
          </p>
        )}
      </main>
    </>
  );

  function renderView() {
    if (status === null) {
      if (!loadFailed) return <StatusSkeleton />;
      return (
        <div class="load-failed">
          <p role="alert">{t('errorNoAnswer')}</p>
          <button type="button" onClick={() => void load()}>
            {t('retry')}
          </button>
        </div>
      );
    }
    const formProps = { connector, status, now: services.now, onUnlocked, onCancel: () => setView(token ? { kind: 'panel' } : { kind: 'status' }) };
    switch (view.kind) {
      case 'status':
        return <StatusCard status={status} now={now} />;
      case 'unlock':
        return <UnlockForm {...formProps} message={view.message ?? null} />;
      case 'set-pin':
        return <SetPinForm {...formProps} />;
      case 'change-pin':
        return token ? (
          <ChangePinForm
            {...formProps}
            token={token}
            onUnlocked={(unlock) => {
              onUnlocked(unlock);
              setNotice(t('noticePinChanged'));
            }}
          />
        ) : null;
      case 'panel':
        return (
          <>
            {/* With a class picked, the class panel's headline says what the class is doing; this browser's own state is not the headline then. */}
            {classes === null && <StatusCard status={status} now={now} compact />}
            <TeacherPanel
              status={status}
              act={act}
              now={services.now}
              defaultMinutes={defaultMinutes}
              notice={notice}
              onStatus={(next, message) => {
                setStatus(next);
                setNotice(message);
              }}
              onEdit={(target) => setView({ kind: 'editor', target })}
              onChangePin={() => setView({ kind: 'change-pin' })}
              classes={classes}
            />
          </>
        );
      case 'editor':
        return (
          <LessonEditor
            target={view.target}
            status={status}
            act={act}
            now={services.now}
            currentTabSite={tabSite}
            defaultLength={defaultLength}
            onDone={(next, message) => {
              setStatus(next);
              setNotice(message);
              backToPanel();
            }}
            onCancel={backToPanel}
            classes={classes}
          />
        );
    }
  }
}
