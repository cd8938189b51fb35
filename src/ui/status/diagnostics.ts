/**
 * The status page's "copy diagnostics" text: everything the page shows, as
 * plain text for an e-mail to IT or a bug report. Pure, so a test pins it.
 *
 * The text is in English whatever the UI language: it goes to IT and to
 * Lesmodus's maintainers, it quotes the policy's own (English) error
 * messages, and one stable format can be compared across devices. Instants
 * are written as local time in the policy's time zone, which the text names.
 *
 * No browsing data: the Status holds none, and of the sites a teacher let
 * through for a while (each taken from a page a student tried to open) only
 * the number is copied.
 */
import type { Status } from '../../core/protocol';
import type { PeriodOccurrence } from '../../core/rules/schedule';

interface DiagnosticsContext {
  /** The browser's user agent string, which names the browser and its version. */
  readonly userAgent: string;
  /** The UI language, "nl" or "en". */
  readonly language: string;
}

const SOURCE_TEXT: Record<Status['policy']['source'], string> = {
  managed: 'managed (the browser policy, confirmed by the last read)',
  cache: 'cache (the last valid policy, kept; not confirmed by the last read)',
  none: 'none (no IT policy in force)',
};

const stampFormats = new Map<string, Intl.DateTimeFormat>();

/** "2026-03-02 10:00:00" in `timeZone`, digits and order the same in every locale. */
function localStamp(instant: number, timeZone: string): string {
  let format = stampFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US-u-nu-latn', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    stampFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** "08:30" in `timeZone`. */
function clock(instant: number, timeZone: string): string {
  return localStamp(instant, timeZone).slice(11, 16);
}

function list(items: readonly string[]): string {
  return items.length === 0 ? '-' : items.join(', ');
}

/** A list the Status carries in part: the count, and what is listed of it. */
function partialList(label: string, shown: readonly string[], count: number): string {
  const listed = shown.length < count ? `, first ${shown.length} listed` : '';
  return `  ${label} (${count}${listed}): ${list(shown)}`;
}

function periodLabel(occurrence: PeriodOccurrence, status: Status): string {
  const preset = status.presets.it.find((candidate) => candidate.id === occurrence.period.preset);
  return `${occurrence.period.title ?? preset?.title ?? occurrence.period.preset} [preset ${occurrence.period.preset}]`;
}

/** The diagnostics text for `status`. */
export function diagnosticsText(status: Status, context: DiagnosticsContext): string {
  const zone = status.timetable.timeZone;
  const at = (instant: number | null | undefined): string => (instant === null || instant === undefined ? '-' : localStamp(instant, zone));
  const { policy, settings, it, active } = status;
  const lines: string[] = [];
  const section = (title: string): void => {
    if (lines.length > 0) lines.push('');
    lines.push(title);
  };

  lines.push('Lesmodus diagnostics');
  lines.push(`Generated: ${at(status.now)} ${zone}`);
  lines.push(`Version: ${status.version}`);
  lines.push(`Browser: ${context.userAgent}`);
  lines.push(`UI language: ${context.language}`);

  section('Policy');
  lines.push(`  Source: ${SOURCE_TEXT[policy.source]}`);
  lines.push(`  Received: ${at(policy.loadedAt)}`);
  lines.push(`  Last checked: ${at(policy.checkedAt)}`);
  if (policy.readError) lines.push(`  Read error: ${policy.readError}`);
  if (policy.errors.length > 0) {
    const kept = policy.source === 'none' ? 'no IT policy is in force' : 'the last valid policy stays in force';
    lines.push(`  Errors (${policy.errors.length}): the policy the browser holds is not applied; ${kept}`);
    for (const error of policy.errors) lines.push(`    ${error.path}: ${error.message}`);
  } else {
    lines.push('  Errors: none');
  }
  lines.push(`  Role: ${settings.role ?? '-'}`);
  lines.push(`  Classes: ${list(settings.classes ?? [])}`);
  lines.push(`  Time zone: ${zone}`);
  lines.push(`  Teacher PIN: ${status.teacher.pinFromPolicy ? 'from the policy' : status.teacher.pinSet ? 'set on this device' : 'not set'}`);
  lines.push(`  Blocklist lessons allowed: ${settings.allowBlocklistLessons ? 'yes' : 'no'}`);
  lines.push(`  Longest lesson: ${settings.maxLessonMinutes} min`);
  lines.push(`  Blocked page shows the address: ${settings.showBlockedAddress ? 'yes' : 'no'}`);
  lines.push(`  School type: ${settings.schoolType ?? '-'}`);
  lines.push(`  Presets from IT (${status.presets.it.length}): ${list(status.presets.it.map((preset) => preset.id))}`);
  lines.push(`  Presets saved on this device: ${status.presets.local.length}`);

  section('In force now');
  if (active) {
    const until = active.endsAt === null ? 'no end' : `until ${at(active.endsAt)}`;
    lines.push(`  Lesson: ${active.title} (origin ${active.origin}${active.classId ? `, class ${active.classId}` : ''}; ${active.mode}; ${until})`);
    lines.push(`  Lesson sites (${active.sites.length}): ${list(active.sites)}`);
    lines.push(`  Lesson embeds (${active.embeds.length}): ${list(active.embeds)}`);
  } else {
    lines.push('  Lesson: none (browsing is open apart from what IT blocks)');
  }
  if (status.pause) lines.push(`  Paused until: ${at(status.pause.until)}`);
  lines.push(`  Sites let through for a while: ${status.exceptions.filter((exception) => exception.until > status.now).length}`);
  lines.push(partialList('IT allowed', it.allowed, it.allowedCount));
  lines.push(partialList('IT blocked', it.blocked, it.blockedCount));
  lines.push(partialList('IT embeds', it.embeds, it.embedsCount ?? it.embeds.length));
  lines.push(`  Next change: ${at(status.nextChange)}`);

  section(`Timetable today (${zone})`);
  if (status.timetable.today.length === 0) lines.push('  no periods today');
  for (const occurrence of status.timetable.today) {
    const current = occurrence.startsAt <= status.now && status.now < occurrence.endsAt ? ' (now)' : '';
    lines.push(`  ${clock(occurrence.startsAt, zone)}-${clock(occurrence.endsAt, zone)} ${periodLabel(occurrence, status)}${current}`);
  }
  const next = status.timetable.next;
  lines.push(`  Next period: ${next ? `${at(next.startsAt)} to ${clock(next.endsAt, zone)} ${periodLabel(next, status)}` : '-'}`);

  if (status.feed) {
    const feed = status.feed;
    section('Class feed');
    lines.push(`  Configured: ${feed.configured ? `yes, ${feed.urlTemplate ?? '-'}${feed.role === 'student' && feed.pollSeconds !== null ? `, every ${feed.pollSeconds} s` : ''}` : 'no'}`);
    if (feed.signingKey) lines.push(`  Signing key: ${feed.signingKey.kid} (${feed.signingKey.source}, ${feed.signingKey.fingerprint})`);
    for (const entry of feed.classes) {
      if (feed.role === 'teacher') {
        const delivery = entry.delivery;
        const state = delivery === null ? 'nothing published' : `${delivery.state}, ${delivery.attempts} attempt(s)${delivery.deliveredAt !== null ? `, delivered ${at(delivery.deliveredAt)}` : ''}${delivery.lastError ? `, last error: ${delivery.lastError}` : ''}`;
        const connected = entry.connected ? `; connected: ${entry.connected.count ?? `unknown (${entry.connected.error ?? '-'})`} at ${at(entry.connected.checkedAt)}` : '';
        lines.push(`  Class ${entry.classId}: ${state}${connected}`);
        continue;
      }
      const fetched = `last fetch ${at(entry.lastFetchAt)} ${entry.lastOutcome ?? '-'}${entry.lastError ? ` (${entry.lastError})` : ''}`;
      const clipped = entry.accepted?.lessonClippedTo != null ? ` (clipped to ${entry.accepted.lessonClippedTo} min by maxLessonMinutes)` : '';
      const accepted = entry.accepted ? `; in force: ${entry.accepted.lessonTitle ?? '-'} until ${at(entry.accepted.lessonEndsAt)}${clipped}, signed by ${entry.accepted.signer}` : '; nothing accepted';
      const refused = `; refused ${entry.rejections}${entry.lastRejection ? `, last: ${entry.lastRejection.reason} ${entry.lastRejection.detail}` : ''}`;
      lines.push(`  Class ${entry.classId}: ${fetched}${accepted}${refused}`);
      const live = entry.live;
      if (live) {
        const retry = live.retryAt !== null ? `, next try ${at(live.retryAt)}` : '';
        const documentAt = live.lastDocumentAt !== null ? `, last document ${at(live.lastDocumentAt)}` : '';
        lines.push(`    live: ${live.state} since ${at(live.since)}${retry}, ${live.failures} failure(s)${documentAt}${live.lastError ? `, last: ${live.lastError}` : ''}`);
      }
    }
  }

  section('Blocking rules');
  lines.push(`  Count: ${status.rules.count}`);
  lines.push(`  Last changed: ${at(status.rules.appliedAt)}`);
  lines.push(`  Error: ${status.rules.error ?? '-'}`);

  section('Notes');
  if (status.notes.length === 0) lines.push('  none');
  for (const note of status.notes) lines.push(`  - ${note}`);

  return `${lines.join('\n')}\n`;
}
