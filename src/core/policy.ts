/**
 * IT's school-wide configuration, pushed through browser enterprise policy.
 * This schema is the single source of truth: the managed_schema.json that
 * Chrome and Edge need is generated from it, and the README's policy
 * reference describes the same fields.
 */
import { z } from 'zod';
import {
  NoLessonDateSchema,
  PeriodSchema,
  PinHashSchema,
  PresetSchema,
  SitePatternString,
  TimeZone,
} from './schemas';

export const PolicySchema = z
  .object({
    /** Sites nobody in the classroom can open. */
    blocked: z.array(SitePatternString).default([]).describe('Sites blocked for everyone, always. Chrome URLBlocklist syntax.'),
    /** Sites every lesson can reach: sign-in, the school's LMS. The more specific of `allowed` and `blocked` wins. */
    allowed: z.array(SitePatternString).default([]).describe('Sites reachable in every lesson (sign-in, LMS). The more specific of allowed and blocked wins; on a tie, allowed.'),
    /** Sites that may be shown inside pages (video players) in every lesson. */
    embeds: z.array(SitePatternString).default([]).describe('Sites allowed inside pages (frames) in every lesson, never as a page of their own.'),
    presets: z.array(PresetSchema).default([]).describe('Lesson presets for teachers and the timetable.'),
    timeZone: TimeZone.default('Europe/Amsterdam').describe('IANA time zone of the timetable.'),
    schedule: z.array(PeriodSchema).default([]).describe('Recurring periods that apply a preset when no teacher lesson is active.'),
    noLessonDates: z.array(NoLessonDateSchema).default([]).describe('Dates (YYYY-MM-DD) or ranges {from, to} without timetable lessons: holidays, study days.'),
    outsideLessons: z.string().min(1).optional().describe('Preset in force outside lessons; open browsing when absent.'),
    teacherPin: PinHashSchema.optional().describe('PBKDF2-SHA256 hash of the teacher PIN (npm run policy -- pin).'),
    allowBlocklistLessons: z.boolean().default(true).describe('Whether teachers may start blocklist lessons.'),
    maxLessonMinutes: z.number().int().min(5).max(24 * 60).default(240).describe('The longest lesson a teacher may set, in minutes.'),
    showBlockedAddress: z.boolean().default(true).describe('Whether the blocked page shows the blocked address.'),
  })
  .superRefine((policy, ctx) => {
    const presetIds = new Set<string>();
    policy.presets.forEach((preset, index) => {
      if (presetIds.has(preset.id)) ctx.addIssue({ code: 'custom', path: ['presets', index, 'id'], message: `preset id "${preset.id}" is used twice` });
      presetIds.add(preset.id);
    });
    policy.schedule.forEach((period, index) => {
      if (!presetIds.has(period.preset)) ctx.addIssue({ code: 'custom', path: ['schedule', index, 'preset'], message: `no preset with id "${period.preset}"` });
    });
    if (policy.outsideLessons !== undefined && !presetIds.has(policy.outsideLessons)) {
      ctx.addIssue({ code: 'custom', path: ['outsideLessons'], message: `no preset with id "${policy.outsideLessons}"` });
    }
  });

export type Policy = z.infer<typeof PolicySchema>;

/** The policy in force when IT has pushed none: open browsing, nothing blocked. */
export const EMPTY_POLICY: Policy = PolicySchema.parse({});
