/** Test helpers shared by the e2e suites: lessons written the way the background reads them. */
import type { Lesson } from '../../src/core/schemas';

export function allowlistLesson(sites: string[], startsAt: number, minutes: number, extra: Partial<Lesson> = {}): Lesson {
  return { id: `test-${startsAt}`, title: 'Rekenen 2B', mode: 'allowlist', sites, embeds: [], startsAt, endsAt: startsAt + minutes * 60_000, ...extra };
}
