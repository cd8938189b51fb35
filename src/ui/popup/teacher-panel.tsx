/**
 * The unlocked teacher panel: the running lesson's controls (+5, +15,
 * change sites, end now, save as preset), then starting a lesson from a
 * preset in one click or writing a new one, then the PIN and lock. On a
 * teacher device with a class feed, a class comes first (ClassPanel): its
 * published lesson and pause, and lessons started here go to that class.
 */
import { useRef, useState } from 'preact/hooks';
import type { Status } from '../../core/protocol';
import type { Preset } from '../../core/schemas';
import { errorText } from '../shared/errors';
import { formatTime, t } from '../shared/text';
import { ApplyHereField, classErrorText, publishedTo, type ClassChoice, type EditorTarget } from './class-choice';
import { ClassPanel } from './class-panel';
import { PresetsList } from './presets-list';
import type { Act, TeacherRequest } from './teacher-actions';
import { restrictionFields } from './lesson-restrictions';

const MINUTE = 60_000;

interface TeacherPanelProps {
  readonly status: Status;
  readonly act: Act;
  readonly now: () => number;
  readonly defaultMinutes: number;
  readonly notice: string | null;
  readonly onStatus: (status: Status, notice: string) => void;
  readonly onEdit: (target: EditorTarget) => void;
  readonly onChangePin: () => void;
  /** On a teacher device with a class feed: its classes, the one chosen, and whether lessons started apply on this browser too. */
  readonly classes?: ClassChoice | null;
}

export function TeacherPanel({ status, act, now, defaultMinutes, notice, onStatus, onEdit, onChangePin, classes = null }: TeacherPanelProps) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const startHeading = useRef<HTMLHeadingElement>(null);
  const lesson = status.active;
  // On this browser; a copy of a class's lesson (started "also on this browser") is run from the class's controls.
  const mirrored = classes !== null && lesson !== null && lesson.origin === 'teacher' && classes.classes.some((classId) => publishedTo(status, classId).lesson?.id === lesson.id);
  const running = lesson !== null && lesson.endsAt !== null && lesson.endsAt > now() && !mirrored ? lesson : null;
  // A lesson started for the class replaces the one it has.
  const classLesson = classes !== null ? publishedTo(status, classes.classId).lesson : null;
  const classRunning = classLesson !== null && classLesson.startsAt <= now() && now() < classLesson.endsAt;

  /** Sends a request; on success shows `success` (a function of the new status). */
  const send = async (request: TeacherRequest, success: (next: Status) => string): Promise<boolean> => {
    if (busy) return false;
    setBusy(true);
    setProblem(null);
    try {
      const next = await act(request);
      if (next === null) return false;
      onStatus(next, success(next));
      return true;
    } catch (error) {
      setProblem(classErrorText(error, 'classId' in request ? request.classId : undefined) ?? errorText(error, status, now()));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const startPreset = (preset: Preset) =>
    void send(
      {
        type: 'startLesson',
        lesson: { title: preset.title, mode: preset.mode, sites: [...preset.sites], embeds: [...preset.embeds], minutes: preset.minutes ?? defaultMinutes, presetId: preset.id, ...restrictionFields(preset), ...(preset.categories ? { categories: [...preset.categories] } : {}) },
        ...(classes !== null ? { classId: classes.classId, applyHere: classes.applyHere } : {}),
      },
      () => (classes !== null ? t('noticeClassStarted', [classes.classId, preset.title]) : t('noticeStarted', preset.title)),
    );

  const extend = (minutes: number) => void send({ type: 'extendLesson', minutes }, (next) => t('noticeExtended', next.active?.endsAt ? formatTime(next.active.endsAt) : ''));

  const saveRunningAsPreset = () => {
    if (!running) return;
    const minutes = running.startsAt !== null && running.endsAt !== null ? Math.max(1, Math.round((running.endsAt - running.startsAt) / MINUTE)) : defaultMinutes;
    void send({ type: 'savePreset', preset: { title: running.title, mode: running.mode, sites: [...running.sites], embeds: [...running.embeds], minutes, ...(running.categories ? { categories: [...running.categories] } : {}) } }, () => t('noticePresetSaved', running.title));
  };

  const startSection = (
    <section class="start" aria-labelledby="start-title">
      <h2 id="start-title" ref={startHeading} tabIndex={-1}>
        {classes !== null ? t(classRunning ? 'startAnotherForClassTitle' : 'startForClassTitle', classes.classId) : running ? t('startAnotherTitle') : t('startTitle')}
      </h2>
      {classes !== null && <ApplyHereField choice={classes} />}
      <button type="button" class="primary wide" onClick={() => onEdit({ kind: 'new' })}>
        {t('newLesson')}
      </button>
      <PresetsList
        status={status}
        busy={busy}
        defaultMinutes={defaultMinutes}
        onStart={startPreset}
        onEdit={(preset, own) => onEdit(own ? { kind: 'new', from: preset, ownPresetId: preset.id } : { kind: 'new', from: preset })}
        onRename={(preset, title) => send({ type: 'renamePreset', id: preset.id, title }, () => t('noticePresetRenamed', title))}
        onDelete={async (preset) => {
          const done = await send({ type: 'deletePreset', id: preset.id }, () => t('noticePresetDeleted', preset.title));
          // The row is gone: keep keyboard focus in the list's section rather than on the page.
          if (done) startHeading.current?.focus();
          return done;
        }}
      />
    </section>
  );

  return (
    <div class="teacher-panel">
      <p class="notice" role="status">
        {notice}
      </p>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {classes !== null && (
        <ClassPanel
          status={status}
          classes={classes.classes}
          classId={classes.classId}
          onClass={classes.onClass}
          now={now()}
          busy={busy}
          send={send}
          count={(classId) => act({ type: 'countConnected', classId }).then(() => undefined)}
          onEdit={onEdit}
        >
          {startSection}
        </ClassPanel>
      )}
      {running && (
        <section class="running" aria-labelledby="running-title">
          <h2 id="running-title">{classes !== null ? t('runningHereTitle') : t('runningTitle')}</h2>
          {/* With a class picked the headline is the class's: say here what runs on this browser. */}
          {classes !== null && <p class="class-lesson">{running.endsAt !== null ? t('classLesson', [running.title, formatTime(running.endsAt)]) : running.title}</p>}
          <div class="button-row" role="group" aria-labelledby="extend-label">
            <span id="extend-label" class="group-label">
              {t('extendLabel')}
            </span>
            <button type="button" disabled={busy} onClick={() => extend(5)}>
              {t('plusMinutes', '5')}
            </button>
            <button type="button" disabled={busy} onClick={() => extend(15)}>
              {t('plusMinutes', '15')}
            </button>
          </div>
          <div class="button-row">
            <button type="button" disabled={busy} onClick={() => onEdit({ kind: 'running' })}>
              {t('changeSites')}
            </button>
            {running.origin === 'teacher' && (
              <button type="button" class="danger" disabled={busy} onClick={() => void send({ type: 'endLesson' }, () => t('noticeEnded'))}>
                {t('endNow')}
              </button>
            )}
            <button type="button" disabled={busy} onClick={saveRunningAsPreset}>
              {t('saveAsPreset')}
            </button>
          </div>
        </section>
      )}
      {classes === null && startSection}
      {!status.teacher.pinFromPolicy && (
        <p class="footer-actions">
          <button type="button" class="link-button" onClick={onChangePin}>
            {t('changePin')}
          </button>
        </p>
      )}
    </div>
  );
}
