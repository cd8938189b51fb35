/**
 * What the class panel and the lesson editor share on a teacher device with
 * a class feed: the class a lesson goes to and whether it also applies on
 * this browser, what was last published to a class, the wording of a
 * refusal about the class, and what the editor is opened for. Its own module
 * so that neither of the two imports the other.
 */
import type { PublishedClass, Status } from '../../core/protocol';
import type { Preset } from '../../core/schemas';
import { BackgroundError } from '../shared/channel';
import { t } from '../shared/text';

/** What the editor was opened for: a new lesson (perhaps from a preset), or the running lesson of this browser or of a class. */
export type EditorTarget =
  | { readonly kind: 'new'; readonly from?: Preset; readonly ownPresetId?: string }
  | { readonly kind: 'running'; readonly classId?: string };

/** What was last published to the class (nothing yet: neither lesson nor pause). */
export function publishedTo(status: Status, classId: string): PublishedClass {
  return status.published?.find((entry) => entry.classId === classId) ?? { classId, lesson: null, pause: null };
}

/** A refusal that concerns the class itself (IT's policy no longer lists it); null for any other, which errorText words. */
export function classErrorText(error: unknown, classId: string | undefined): string | null {
  return classId !== undefined && error instanceof BackgroundError && error.code === 'not-found' ? t('errorClassUnknown', classId) : null;
}

/** The class picked in the popup, and whether a new lesson also applies on this browser. */
export interface ClassChoice {
  readonly classes: readonly string[];
  readonly classId: string;
  readonly onClass: (classId: string) => void;
  readonly applyHere: boolean;
  readonly onApplyHere: (apply: boolean) => void;
}

/** "Also apply on this browser": off unless the teacher ticks it (a teacher's laptop need not be locked to the class's sites). */
export function ApplyHereField({ choice }: { choice: ClassChoice }) {
  return (
    <label class="choice apply-here">
      <input type="checkbox" checked={choice.applyHere} onChange={(event) => choice.onApplyHere(event.currentTarget.checked)} />
      <span>{t('applyHereLabel')}</span>
    </label>
  );
}
