/**
 * The class feed's part of the rules inputs: the lessons and pauses of the
 * verified documents stored per class (see core/feed/follow.ts classInputs
 * for why they are not verified again on every load), and the stored feed
 * state for the status page.
 */
import { classInputs } from '../../core/feed/follow';
import type { FeedBook } from '../../core/feed/status';
import type { Policy } from '../../core/policy/policy';
import type { ClassLesson, Pause } from '../../core/rules/resolve';
import { readFeedBook } from './book';

interface FeedInputs {
  readonly classLessons: ClassLesson[];
  readonly pauses: Pause[];
  readonly book: FeedBook;
  readonly notes: string[];
}

export async function loadFeedInputs(policy: Policy): Promise<FeedInputs> {
  const { book, notes } = await readFeedBook();
  const inputs = classInputs(book.classFeed, policy);
  return { classLessons: inputs.classLessons, pauses: inputs.pauses, book, notes: [...notes, ...inputs.notes] };
}
