/**
 * The extension behind a page under test: the real background
 * (tests/unit/background/support/background.ts) started with what a test
 * says about the device — IT's policy, the PIN, a lesson, presets, sites let
 * through, earlier wrong PINs, a teacher device's classes — and reached
 * through the Connector every page uses. Import this before anything that
 * loads jose (it sets up WebCrypto and TextEncoder for jsdom).
 */
import { options } from 'preact';
import { startBackground, type BackgroundSetup, type TestBackground } from '../../background/support/background';
import type { PinAttempts } from '../../../../src/core/teacher/auth';
import type { Lesson, Preset, TemporaryAllow } from '../../../../src/core/schemas';

export type { TestBackground };

// Effects (focus moves, a page's timers) run right after a render instead of
// after the next frame: a test sees them without waiting for one, and the
// pages' timers are in place before a test moves the clock.
options.requestAnimationFrame = (flush) => void Promise.resolve().then(flush);

/** Where a teacher device of the tests publishes. */
export const FEED_TEMPLATE = 'https://feed.school.test/{class}.jws';

export interface ExtensionOptions extends Omit<BackgroundSetup, 'pin'> {
  /** The PIN set on this device ('1234' unless a test says otherwise); null for none yet. */
  readonly pin?: string | null;
  readonly lesson?: Lesson | null;
  readonly presets?: readonly Preset[];
  readonly exceptions?: readonly TemporaryAllow[];
  /** Wrong PINs before the page opens. */
  readonly attempts?: PinAttempts;
  /** A teacher device with a class feed for these classes (role, classes and classFeed in IT's policy). */
  readonly teacherClasses?: readonly string[];
}

/** Starts the extension's background as `options` describe the device. */
export function startExtension(options: ExtensionOptions = {}): Promise<TestBackground> {
  const { pin = '1234', lesson, presets, exceptions, attempts, teacherClasses, policy, local, pinFromPolicy, ...rest } = options;
  const teacher = teacherClasses ? { role: 'teacher', classes: teacherClasses, classFeed: { urlTemplate: FEED_TEMPLATE, pollSeconds: 30 } } : {};
  const inForce = policy !== undefined || teacherClasses !== undefined || pinFromPolicy ? { ...teacher, ...policy } : undefined;
  return startBackground({
    ...rest,
    ...(inForce !== undefined ? { policy: inForce } : {}),
    pin,
    ...(pinFromPolicy !== undefined ? { pinFromPolicy } : {}),
    local: {
      ...(lesson ? { lesson } : {}),
      ...(presets ? { presets } : {}),
      ...(exceptions ? { exceptions } : {}),
      ...(attempts ? { pinAttempts: attempts } : {}),
      ...local,
    },
  });
}
