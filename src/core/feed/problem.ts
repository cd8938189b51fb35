/**
 * Why talking to the class feed went wrong, as a stable code with its
 * parameters, stored beside the English `lastError`. The English text is
 * for IT (diagnostics, the console); the popup and the status page word the
 * code in the reader's language from _locales, so a teacher with a Dutch
 * browser does not read "the class feed answered HTTP 503".
 *
 *   refused      the feed will never take this document (400, 413, 415)
 *   credentials  the feed refused the Authorization IT set (401, 403)
 *   http         any other HTTP status that is not a success
 *   unreachable  no answer: offline, DNS, TLS, a timeout
 *   newer        the feed already holds a newer document (409)
 *   clock        the feed refused a document dated ahead of its own clock (422, the reference
 *                server): this device's clock runs ahead; retried, since the feed's clock catches up
 */
import { z } from 'zod';

export const FeedProblemSchema = z.union([
  z.object({ code: z.enum(['refused', 'credentials', 'http']), status: z.number().int() }),
  z.object({ code: z.enum(['unreachable', 'newer', 'clock']) }),
]);
export type FeedProblem = z.infer<typeof FeedProblemSchema>;
