/**
 * The pause cover: while a teacher pauses the class ("eyes on me"), every
 * open web page is covered by the teacher's message instead of being
 * replaced, so whatever the student was writing in it is still there when
 * the pause ends. The background injects this file into a tab's page
 * (scripting.executeScript, src/platform/cover.ts) and then calls
 * `lesmodusPauseCover.show(state)` or `.end()` in the same content-script
 * world, which the page's own scripts cannot see.
 *
 * How it holds:
 * - a modal `<dialog>` in a closed shadow root: the browser puts it in the
 *   top layer, above anything the page stacks with z-index, and makes the
 *   rest of the page inert, so no click, key or focus reaches it; the
 *   dialog fills the window and is opaque;
 * - key, pointer and input events that reach the cover stop there: the
 *   page's own listeners further out never see them, and the keys do
 *   nothing (no typing, no reload with F5); Tab stays in the cover;
 * - Escape does not close it; a page that removes it, hides it or rewrites
 *   its style gets it back at once (a MutationObserver);
 * - it ends by itself when the pause's time is up (measured with the page's
 *   monotonic clock from the time left, not the device's clock), and when
 *   the background says the pause ended; nothing is reloaded.
 *
 * No extension API is used here: the background passes the words, already
 * in the student's language. Styles are set through the CSSOM, which a
 * page's Content-Security-Policy does not restrict (a `<style>` element
 * would be).
 */

/** What the cover shows, and for how long. */
interface CoverState {
  /** The page's language for the cover ("nl", "en"). */
  readonly lang: string;
  readonly heading: string;
  /** The teacher's message. */
  readonly message: string;
  /** "Back to your work at 10:45". */
  readonly until: string;
  /** "Your work stays as it is." */
  readonly note: string;
  /** How long the pause still lasts, in milliseconds. */
  readonly remainingMs: number;
}

interface PauseCover {
  /** Covers the page (or updates the cover); false when this document cannot be covered. */
  show(state: CoverState): boolean;
  /** Takes the cover away, if there is one. */
  end(): void;
}

declare global {
  // In the content script's own world: the page's scripts cannot reach it.
  var lesmodusPauseCover: PauseCover | undefined;
}

const HOST_TAG = 'lesmodus-pause';

/** Events that stop at the cover (and, outside it, in the page while the cover is up). */
const BLOCKED_EVENTS = [
  'keydown', 'keyup', 'keypress', 'beforeinput', 'input', 'paste', 'cut', 'copy', 'drop', 'dragstart', 'dragover',
  'pointerdown', 'pointerup', 'mousedown', 'mouseup', 'click', 'dblclick', 'auxclick', 'contextmenu', 'touchstart', 'touchend', 'wheel', 'focusin',
] as const;

type Style = Readonly<Record<string, string>>;

function applyStyle(element: HTMLElement, style: Style): void {
  for (const [name, value] of Object.entries(style)) element.style.setProperty(name, value, 'important');
}

/** The host in the page: no box of its own; the dialog in the top layer is what shows. */
const HOST_STYLE: Style = {
  display: 'block',
  position: 'fixed',
  top: '0',
  left: '0',
  width: '0',
  height: '0',
  margin: '0',
  padding: '0',
  border: '0',
  overflow: 'visible',
  visibility: 'visible',
  opacity: '1',
  transform: 'none',
  filter: 'none',
  'clip-path': 'none',
  'z-index': '2147483647',
  'pointer-events': 'auto',
};

/** The dialog: the whole window, opaque, calm (the blocked page's colours). */
const DIALOG_STYLE: Style = {
  position: 'fixed',
  inset: '0',
  width: '100vw',
  height: '100vh',
  'max-width': 'none',
  'max-height': 'none',
  margin: '0',
  padding: '2rem',
  border: '0',
  'box-sizing': 'border-box',
  display: 'flex',
  'flex-direction': 'column',
  'align-items': 'center',
  'justify-content': 'center',
  'text-align': 'center',
  background: '#f5f7fa',
  color: '#1b2430',
  'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  'font-size': '16px',
  'line-height': '1.45',
  'overflow-wrap': 'anywhere',
  visibility: 'visible',
  opacity: '1',
  outline: 'none',
};

const HEADING_STYLE: Style = { margin: '0 0 1rem', 'font-size': '2rem', 'font-weight': '700', color: '#1b2430' };
const MESSAGE_STYLE: Style = { margin: '0 0 1rem', 'font-size': '1.6rem', 'font-weight': '600', 'max-width': '40rem', color: '#1b2430' };
const LINE_STYLE: Style = { margin: '0.3rem 0', 'font-size': '1.15rem', color: '#4a5567' };

function createCover(): PauseCover {
  let state: CoverState | null = null;
  /** When the pause is over, on the page's monotonic clock. */
  let endsAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let host: HTMLElement | null = null;
  let dialog: HTMLDialogElement | null = null;
  const texts = { heading: null as HTMLElement | null, message: null as HTMLElement | null, until: null as HTMLElement | null, note: null as HTMLElement | null };
  let observer: MutationObserver | null = null;
  /** What had the focus when the cover came (the answer being written): it gets it back. */
  let focusedBefore: HTMLElement | null = null;

  const active = (): boolean => state !== null && performance.now() < endsAt;

  /** Stops an event at the cover: the keys do nothing, and the page's listeners further out never hear of it. */
  const stopAtCover = (event: Event): void => {
    event.stopPropagation();
    if (event.type !== 'focusin' && event.cancelable) event.preventDefault();
  };

  /** Outside the cover (the page's own elements), while it is up: nothing gets through. */
  const stopInPage = (event: Event): void => {
    if (!active()) return;
    if (host !== null && event.composedPath().includes(host)) return;
    event.stopImmediatePropagation();
    if (event.cancelable) event.preventDefault();
    if (event.type === 'focusin') dialog?.focus();
  };

  function build(): void {
    host = document.createElement(HOST_TAG);
    const root = host.attachShadow({ mode: 'closed' });
    dialog = document.createElement('dialog');
    dialog.tabIndex = -1;
    dialog.setAttribute('aria-labelledby', 'lesmodus-pause-heading');
    dialog.setAttribute('aria-describedby', 'lesmodus-pause-message');
    texts.heading = document.createElement('h1');
    texts.heading.id = 'lesmodus-pause-heading';
    texts.message = document.createElement('p');
    texts.message.id = 'lesmodus-pause-message';
    texts.until = document.createElement('p');
    texts.note = document.createElement('p');
    dialog.append(texts.heading, texts.message, texts.until, texts.note);
    root.append(dialog);
    for (const type of BLOCKED_EVENTS) root.addEventListener(type, stopAtCover);
    // Escape closes a modal dialog: not this one. Where the browser closes it anyway, it opens again.
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    dialog.addEventListener('close', () => queueMicrotask(hold));
  }

  /** Sets the words and the look (again: a page may have rewritten a style attribute). */
  function paint(): void {
    if (state === null || host === null || dialog === null) return;
    applyStyle(host, HOST_STYLE);
    applyStyle(dialog, DIALOG_STYLE);
    dialog.lang = state.lang;
    texts.heading!.textContent = state.heading;
    texts.message!.textContent = state.message;
    texts.until!.textContent = state.until;
    texts.note!.textContent = state.note;
    applyStyle(texts.heading!, HEADING_STYLE);
    applyStyle(texts.message!, MESSAGE_STYLE);
    applyStyle(texts.until!, LINE_STYLE);
    applyStyle(texts.note!, LINE_STYLE);
  }

  /** Puts the cover where it belongs, open and modal; called whenever the page may have moved it. */
  function hold(): void {
    if (!active()) {
      if (state !== null) end();
      return;
    }
    const parent = document.documentElement;
    if (parent === null || host === null || dialog === null) return;
    if (host.parentNode !== parent) parent.append(host);
    if (!dialog.open || !dialog.matches(':modal')) {
      if (dialog.open) dialog.close();
      dialog.showModal();
    }
    const focused = dialog.getRootNode() instanceof ShadowRoot ? (dialog.getRootNode() as ShadowRoot).activeElement : null;
    if (focused !== dialog) dialog.focus({ preventScroll: true });
  }

  function watch(): void {
    observer?.disconnect();
    observer = new MutationObserver(() => {
      if (!active()) return;
      // The document element itself may have been replaced: watch the new one.
      if (document.documentElement !== null && !observed.has(document.documentElement)) watch();
      paint();
      hold();
      // What paint() and hold() changed themselves is no news: without this they would answer themselves for ever.
      observer?.takeRecords();
    });
    const observed = new Set<Node>([document]);
    observer.observe(document, { childList: true });
    if (document.documentElement !== null) {
      observed.add(document.documentElement);
      observer.observe(document.documentElement, { childList: true });
    }
    if (host !== null) observer.observe(host, { attributes: true });
  }

  /** Ends the cover when its time is up, or looks again then (a timer may fire a little early, or late in a hidden tab). */
  const checkTime = (): void => {
    if (state === null) return;
    const left = endsAt - performance.now();
    if (left <= 0) {
      end();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(checkTime, left + 20);
  };

  function show(next: CoverState): boolean {
    if (!(document instanceof Document) || typeof HTMLDialogElement === 'undefined' || document.documentElement === null) return false;
    if (!(document.documentElement instanceof HTMLElement)) return false; // an SVG or XML document: no dialog to show
    if (next.remainingMs <= 0) {
      end();
      return true;
    }
    const first = state === null;
    state = next;
    endsAt = performance.now() + next.remainingMs;
    clearTimeout(timer);
    timer = setTimeout(checkTime, next.remainingMs);
    if (host === null) build();
    paint();
    if (first) {
      const focused = document.activeElement;
      focusedBefore = focused instanceof HTMLElement && focused !== document.body ? focused : null;
      // Not passive: a wheel or touch outside the cover must not scroll the page either.
      for (const type of BLOCKED_EVENTS) window.addEventListener(type, stopInPage, { capture: true, passive: false });
      // Timers of a tab in the background run late: the time is checked again when it is shown.
      document.addEventListener('visibilitychange', checkTime);
      window.addEventListener('pageshow', checkTime);
    }
    hold();
    watch();
    return dialog?.open === true;
  }

  function end(): void {
    if (state === null) return;
    state = null;
    clearTimeout(timer);
    observer?.disconnect();
    observer = null;
    for (const type of BLOCKED_EVENTS) window.removeEventListener(type, stopInPage, true);
    document.removeEventListener('visibilitychange', checkTime);
    window.removeEventListener('pageshow', checkTime);
    if (dialog?.open) dialog.close();
    host?.remove();
    host = null;
    dialog = null;
    // The student's cursor is where it was (closing the dialog alone gives the focus back only
    // when the cover was never put back: then the dialog itself had it last).
    if (focusedBefore?.isConnected) focusedBefore.focus({ preventScroll: true });
    focusedBefore = null;
  }

  return { show, end };
}

globalThis.lesmodusPauseCover ??= createCover();

export {};
