/**
 * A teacher device's classes (docs/design.md, "Teacher control"): pick the class
 * (IT's policy lists them), see what was last published to it — the lesson
 * and until when, a pause — and whether the class feed has it, updated live;
 * extend, change or end the class's lesson; pause the class ("eyes on me")
 * and resume it. Every change goes to the background with the class id,
 * which checks it against the policy, signs it and publishes it.
 */
import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConnectedCount, FeedDelivery } from '../../core/feed/status';
import type { PublishedClass, Status } from '../../core/protocol';
import { feedProblemText, formatTime, formatTimeLeft, t } from '../shared/text';
import { publishedTo, type EditorTarget } from './class-choice';
import type { TeacherRequest } from './teacher-actions';
import { ScheduledLessons } from './scheduled-lessons';
import { SendLink } from './send-link';
import { StartLater } from './start-later';

/** How often the count of connected browsers is asked for while the panel is open. */
export const CONNECTED_REFRESH_MS = 5_000;

/** A pause lasts 1 to 10 minutes (the background and every student check it too). */
const PAUSE_MINUTES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const DEFAULT_PAUSE_MINUTES = 5;

/** The classes this browser publishes lessons to; null when it publishes to none (not a teacher device, or no class feed). */
export function publishingClasses(status: Status): readonly string[] | null {
  const feed = status.feed;
  if (feed === undefined || feed.role !== 'teacher' || !feed.configured || feed.classes.length === 0) return null;
  return feed.classes.map((entry) => entry.classId);
}

function deliveryTo(status: Status, classId: string): FeedDelivery | null {
  return status.feed?.classes.find((entry) => entry.classId === classId)?.delivery ?? null;
}

/** True while a publication waits for its first delivery or a retry: the popup then refreshes until that changes. */
export function deliveryPending(status: Status | null): boolean {
  return status?.feed?.classes.some((entry) => entry.delivery?.state === 'pending') ?? false;
}

/** The class's running lesson as published; null when none runs now. */
function runningClassLesson(status: Status, classId: string, now: number): PublishedClass['lesson'] {
  const lesson = publishedTo(status, classId).lesson;
  return lesson !== null && lesson.startsAt <= now && now < lesson.endsAt ? lesson : null;
}

/** How delivery of the last publication is going, in the teacher's words. */
function deliveryText(delivery: FeedDelivery, classId: string): string {
  const reason = feedProblemText(delivery.lastProblem, delivery.lastError);
  switch (delivery.state) {
    case 'delivered':
      return t('deliveryDelivered', [classId, formatTime(delivery.deliveredAt ?? delivery.issuedAt)]);
    case 'pending':
      // `attempts` were made and failed; the one coming is the next.
      return delivery.attempts === 0 ? t('deliverySending', classId) : t('deliveryRetrying', [String(delivery.attempts + 1), reason]);
    case 'superseded':
      return t('deliverySuperseded', classId);
    case 'failed':
      return t('deliveryFailed', reason);
    case 'gave-up':
      return t('deliveryGaveUp', [String(delivery.attempts), reason]);
  }
}

function connectedTo(status: Status, classId: string): ConnectedCount | null {
  return status.feed?.classes.find((entry) => entry.classId === classId)?.connected ?? null;
}

/** "23 browsers of 2B are connected": a count from the feed host, never who. */
export function connectedText(count: ConnectedCount, classId: string): string {
  if (count.count === null) return t('classConnectedUnknown', feedProblemText(count.problem, count.error));
  if (count.count === 0) return t('classConnectedNone', classId);
  if (count.count === 1) return t('classConnectedOne', classId);
  return t('classConnectedMany', [String(count.count), classId]);
}

/** Asks for the count when the panel opens or the class changes, and again every few seconds while it is open. */
function useConnectedCount(classId: string, count: (classId: string) => Promise<void>): void {
  useEffect(() => {
    let stopped = false;
    const ask = (): void => {
      if (!stopped) void count(classId).catch(() => undefined);
    };
    ask();
    const timer = setInterval(ask, CONNECTED_REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // `count` is a new function on every render of the teacher panel; the class is what matters.
  }, [classId]);
}

/** The class picker: one radio chip per class, so switching is one click (or the arrow keys). */
function ClassPicker({ classes, value, onChange }: { classes: readonly string[]; value: string; onChange: (classId: string) => void }) {
  return (
    <fieldset class="field class-picker">
      <legend>{t('classPickerLabel')}</legend>
      <div class="chip-group">
        {classes.map((classId) => (
          <label key={classId} class="choice-chip">
            <input type="radio" name="class" value={classId} checked={classId === value} onChange={() => onChange(classId)} />
            <span>{classId}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

interface ClassPanelProps {
  readonly status: Status;
  readonly classes: readonly string[];
  readonly classId: string;
  readonly onClass: (classId: string) => void;
  readonly now: number;
  readonly busy: boolean;
  /** Sends a teacher request; on success shows the notice `success` gives for the new status. */
  readonly send: (request: TeacherRequest, success: (next: Status) => string) => Promise<boolean>;
  /** Asks the feed host how many browsers of the class are connected; the next status carries it. */
  readonly count: (classId: string) => Promise<void>;
  readonly onEdit: (target: EditorTarget) => void;
  /** Starting a lesson for the class: shown after what the class is doing, before pausing it. */
  readonly children?: ComponentChildren;
}

/**
 * The panel's headline and what the class is doing: the class picked, its
 * lesson until when, a pause (with Resume, its main action then), delivery,
 * who is listening, and the lesson's controls; then `children` (starting a
 * lesson, the main action), and pausing the class after it, as the second.
 */
export function ClassPanel({ status, classes, classId, onClass, now, busy, send, count, onEdit, children }: ClassPanelProps) {
  const published = publishedTo(status, classId);
  const lesson = runningClassLesson(status, classId, now);
  const pause = published.pause !== null && published.pause.until > now ? published.pause : null;
  const delivery = deliveryTo(status, classId);
  const connected = connectedTo(status, classId);
  useConnectedCount(classId, count);
  const here = lesson !== null && status.active?.origin === 'teacher' && status.active.id === lesson.id;
  const endsAt = (next: Status): string => {
    const until = publishedTo(next, classId).lesson?.endsAt;
    return until === undefined ? '' : formatTime(until);
  };
  const headline = lesson !== null ? t('classHeadlineLesson', [classId, lesson.title]) : pause !== null ? t('classHeadlinePaused', classId) : t('classHeadlineNone', classId);

  // Pausing swaps the pause form for "Resume" and resuming swaps it back: the focus follows, rather than falling to the page.
  // (Once the button is enabled again: a disabled button takes no focus.)
  const resumeButton = useRef<HTMLButtonElement>(null);
  const pauseButton = useRef<HTMLButtonElement>(null);
  const shown = useRef(pause !== null);
  const focusDue = useRef(false);
  useEffect(() => {
    if (shown.current !== (pause !== null)) {
      shown.current = pause !== null;
      focusDue.current = true;
    }
    if (focusDue.current && !busy) {
      focusDue.current = false;
      (pause !== null ? resumeButton : pauseButton).current?.focus();
    }
  }, [pause !== null, busy]);

  return (
    <>
      <section class="class-panel" aria-labelledby="status-title">
        <ClassPicker classes={classes} value={classId} onChange={onClass} />
        <h1 id="status-title" tabIndex={-1}>
          {headline}
        </h1>
        {lesson !== null && (
          <p class="until">
            {t('statusUntil', formatTime(lesson.endsAt))} · <span class="countdown">{formatTimeLeft(lesson.endsAt - now)}</span>
          </p>
        )}
        {here && <p class="hint">{t('classAppliedHere')}</p>}
        {pause && <p class="pause-note">{t('classPaused', [formatTime(pause.until), pause.message])}</p>}
        <p class={`delivery${delivery?.state === 'delivered' ? ' note' : delivery?.state === 'pending' ? '' : ' error'}`} role="status">
          {delivery && deliveryText(delivery, classId)}
        </p>
        <p class={`connected${connected?.count === null ? ' error' : ' note'}`} aria-live="polite">
          {connected && connectedText(connected, classId)}
        </p>
        {pause && (
          <div class="button-row">
            <button ref={resumeButton} type="button" class="primary" disabled={busy} onClick={() => void send({ type: 'resumeClass', classId }, () => t('noticeResumed', classId))}>
              {t('resumeClass')}
            </button>
          </div>
        )}
        {lesson !== null && (
          <>
            <div class="button-row" role="group" aria-labelledby="class-extend-label">
              <span id="class-extend-label" class="group-label">
                {t('extendLabel')}
              </span>
              {[5, 15].map((minutes) => (
                <button key={minutes} type="button" disabled={busy} onClick={() => void send({ type: 'extendLesson', classId, minutes }, (next) => t('noticeClassExtended', [classId, endsAt(next)]))}>
                  {t('plusMinutes', String(minutes))}
                </button>
              ))}
            </div>
            <div class="button-row">
              <button type="button" disabled={busy} onClick={() => onEdit({ kind: 'running', classId })}>
                {t('changeSites')}
              </button>
              <button type="button" class="danger" disabled={busy} onClick={() => void send({ type: 'endLesson', classId }, () => t('noticeClassEnded', classId))}>
                {t('endNow')}
              </button>
            </div>
          </>
        )}
        {lesson !== null && <SendLink key={`link-${classId}`} status={status} classId={classId} busy={busy} send={send} />}
      </section>
      {children}
      {/* Starting a lesson now comes first, "eyes on me" second, then what waits for later: a pause must not sink below a long list. */}
      {pause === null && <PauseForm key={classId} classId={classId} busy={busy} send={send} buttonRef={pauseButton} />}
      <StartLater key={`later-${classId}`} status={status} classId={classId} now={now} busy={busy} send={send} />
      <ScheduledLessons status={status} classId={classId} now={now} busy={busy} send={send} />
    </>
  );
}

/** Pausing the class ("eyes on me"): a message and how long; Resume is in the panel above while a pause runs. */
function PauseForm({ classId, busy, send, buttonRef }: { classId: string; busy: boolean; send: ClassPanelProps['send']; buttonRef: Ref<HTMLButtonElement> }) {
  const [message, setMessage] = useState(() => t('pauseDefaultMessage'));
  const [minutes, setMinutes] = useState(DEFAULT_PAUSE_MINUTES);
  const [problem, setProblem] = useState<string | null>(null);

  const pause = (event: Event) => {
    event.preventDefault();
    if (message.trim() === '') {
      setProblem(t('pauseMessageMissing'));
      return;
    }
    setProblem(null);
    void send({ type: 'pauseClass', classId, message: message.trim(), minutes }, (next) => {
      const until = publishedTo(next, classId).pause?.until;
      return t('noticePaused', [classId, until === undefined ? '' : formatTime(until)]);
    });
  };

  return (
    <form class="pause-form" aria-labelledby="pause-title" onSubmit={pause}>
      <h2 id="pause-title">{t('pauseTitle')}</h2>
      <div class="field">
        <label for="pause-message">{t('pauseMessageLabel')}</label>
        <input id="pause-message" type="text" maxLength={280} value={message} aria-describedby="pause-problem" onInput={(event) => setMessage(event.currentTarget.value)} />
      </div>
      <div class="row">
        <label for="pause-minutes">{t('pauseMinutesLabel')}</label>
        <select id="pause-minutes" value={String(minutes)} onChange={(event) => setMinutes(Number(event.currentTarget.value))}>
          {PAUSE_MINUTES.map((option) => (
            <option key={option} value={String(option)}>
              {t('minutesShort', String(option))}
            </option>
          ))}
        </select>
      </div>
      <p id="pause-problem" class="field-error" aria-live="polite">
        {problem}
      </p>
      <div class="actions">
        <button ref={buttonRef} type="submit" disabled={busy}>
          {t('pauseClass', classId)}
        </button>
      </div>
    </form>
  );
}
