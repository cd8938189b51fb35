/**
 * What Lesmodus keeps in storage.local, key by key, with the schema each
 * value is checked against when read. The background rebuilds everything it
 * needs from these values: nothing lives only in the service worker's memory.
 */
import { z } from 'zod';
import { LessonSchema, TemporaryAllowSchema } from './schemas';

export const KEYS = {
  /** The lesson a teacher set on this device (may be over). */
  lesson: 'lesson',
  /** Sites a teacher let through on this device for a few minutes. */
  exceptions: 'exceptions',
  /** Presets saved on this device. */
  presets: 'presets',
  /** The last valid policy from IT, used at once on a cold start. */
  policyCache: 'policyCache',
  /** Problems with the policy most recently received. */
  policyStatus: 'policyStatus',
  /** The teacher PIN set on this device (a PBKDF2 hash), used when IT's policy sets none. */
  teacherPin: 'teacherPin',
  /** Wrong PIN attempts in a row, so the waits survive a browser restart; also in the second copy. */
  pinAttempts: 'pinAttempts',
  // The class feed; the schemas are beside the code that writes them (core/feed/follow.ts, outbox.ts, status.ts).
  /** Student devices: the last verified document per class (a rules input). */
  classFeed: 'classFeed',
  /** Student devices: per class, the last fetch, its ETag and the documents refused. */
  feedFollow: 'feedFollow',
  /** Teacher devices: per class, the newest document published and how its delivery goes. */
  feedOutbox: 'feedOutbox',
  /** Teacher devices: the public half of the signing key, with its id and fingerprint, for the status page. */
  feedKey: 'feedKey',
  /** Student devices: the class lessons whose start page was opened, so a restart does not open it again. */
  feedStartPages: 'feedStartPages',
  /** Student devices: the links sent to a class that were opened here ("2B/<link id>"), so a restart does not open one again. */
  feedLinks: 'feedLinks',
  /** The latest time trusted and what was noticed of the device's clock (core/rules/clock.ts); also in the second copy. */
  clock: 'clock',
} as const;

/**
 * Where the second copies of some values live (src/platform/second-copy.ts):
 * an IndexedDB database of the extension, in another folder of the browser
 * profile than storage.local.
 */
export const SECOND_COPY = { database: 'lesmodus-state', store: 'values' } as const;

/**
 * Under this key the second copy keeps the background's own record of a
 * value it wrote to storage.local (`lesson`, `exceptions`): `{"value": …}`,
 * null when it removed it (background/teacher/guard.ts).
 */
export function ownRecordKey(key: string): string {
  return `written:${key}`;
}

/**
 * What a wiped storage.local means. A student can delete the profile folder
 * that holds storage.local while the browser is closed (their own files, on
 * their own account). What matters afterwards is either derived again from
 * IT's policy or fails closed:
 *
 * - IT's policy (policyCache, policyStatus): read again from managed storage
 *   at the next start. Until the browser has answered, no PIN is set on the
 *   device (teacher/auth.ts waits for the answer).
 * - The teacher PIN: on a student device it comes from the policy only, so
 *   there is nothing local to lose. On other devices a wipe removes the
 *   local PIN and a new one can be chosen: whoever owns such a device's
 *   profile owns the device.
 * - The wrong-PIN wait (pinAttempts) and the latest time seen (clock):
 *   kept in storage.local and in the second copy; the stricter of the two
 *   counts, so deleting one folder neither ends a wait nor lets a clock set
 *   back go unnoticed. With both folders gone, the class feed host's clock
 *   puts the time right at the next poll (core/rules/clock.ts).
 * - The lesson set on the device and the sites let through (lesson,
 *   exceptions): the background's own record of them is in the second copy
 *   (background/teacher/guard.ts), which puts them back.
 * - The class feed's replay floor (classFeed: the last accepted document
 *   per class): not kept twice. After a wipe the device takes the feed
 *   host's current document, which must still carry a valid signature and
 *   be inside its own time window; an older document replayed then is one a
 *   teacher did sign for now, so the worst case is a lesson that had been
 *   ended early holding until its own end (more restriction, not less).
 */

/** What Lesmodus keeps in storage.session (gone when the browser closes). */
export const SESSION_KEYS = {
  /**
   * The teacher's unlock: a hash of the token and its expiry, so a restarted
   * service worker still honours the token. The token itself lives only in
   * the open popup's memory: closing the popup locks it, so a student who
   * opens the popup after the teacher walked away finds it locked.
   */
  teacherSession: 'teacherSession',
  /**
   * The tab limit of the lesson in force (core/rules/tabs.ts, TabGuard):
   * which tabs count and which shows the notice. Tab ids hold for one run of
   * the browser, and so does this: a restarted worker keeps it.
   */
  tabGuard: 'tabGuard',
  /**
   * The tabs whose page a class pause covered, each with the pause's end:
   * a worker started after the teacher resumed still knows which covers to
   * take off (background/rules/cover.ts).
   */
  pauseCovers: 'pauseCovers',
} as const;

export const StoredLesson = LessonSchema.nullable();
export const StoredExceptions = z.array(TemporaryAllowSchema).max(200);
export const StoredPresets = z.array(z.unknown()).max(500);

export const PolicyCacheSchema = z.object({
  /** The policy as IT wrote it (validated again on every read). */
  raw: z.record(z.string(), z.unknown()),
  receivedAt: z.number().int(),
});
export type PolicyCache = z.infer<typeof PolicyCacheSchema>;

export const PolicyStatusSchema = z.object({
  checkedAt: z.number().int(),
  /** 'managed' when the last read found a policy, 'none' when the browser has none for Lesmodus. */
  found: z.boolean(),
  errors: z.array(
    z.object({
      path: z.string(),
      message: z.string(),
      // For the UI to word the problem (core/problem-codes.ts); absent in values stored before codes.
      code: z.string().max(64).optional(),
      params: z.array(z.string()).max(8).optional(),
    }),
  ),
});
