/**
 * What the popup needs from outside itself, passed in by its entry: the
 * channel to the background, the address of the tab it was opened over, and
 * the clock. Tests pass fakes of all three.
 */
import type { Connector } from '../channel';

export interface PopupServices {
  readonly connector: Connector;
  /** The address of the tab the popup was opened over, or null. */
  readonly currentTabUrl: () => Promise<string | null>;
  readonly now: () => number;
}
