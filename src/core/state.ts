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
  /** Wrong PIN attempts in a row, so the waits survive a browser restart. */
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
} as const;

/** What Lesmodus keeps in storage.session (gone when the browser closes). */
export const SESSION_KEYS = {
  /**
   * The teacher's unlock: a hash of the token and its expiry, so a restarted
   * service worker still honours the token. The token itself lives only in
   * the open popup's memory: closing the popup locks it, so a student who
   * opens the popup after the teacher walked away finds it locked.
   */
  teacherSession: 'teacherSession',
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
