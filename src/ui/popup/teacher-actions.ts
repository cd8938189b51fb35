import type { Status } from '../../core/protocol';
import type { RequestInput } from '../shared/channel';

type WithoutToken<R> = R extends { token: string } ? Omit<R, 'token'> : never;

/** A state-changing request as a component writes it; the popup adds the token. */
export type TeacherRequest = Exclude<WithoutToken<RequestInput>, { type: 'lock' }>;

/**
 * Sends a teacher request with the unlock token. Resolves to the status
 * after the change, or to null when the panel had locked itself (the popup
 * then asks for the PIN); other refusals are thrown as BackgroundErrors.
 */
export type Act = (request: TeacherRequest) => Promise<Status | null>;
