/**
 * What the popup needs from outside itself, passed in by its entry: the
 * channel to the background, the address of the tab it was opened over, the
 * clock, and where the chosen class is remembered. Tests pass fakes.
 */
import type { Connector } from '../shared/channel';

export interface PopupServices {
  readonly connector: Connector;
  /** The address of the tab the popup was opened over, or null. */
  readonly currentTabUrl: () => Promise<string | null>;
  readonly now: () => number;
  /**
   * The class a teacher device last picked, remembered until the browser
   * closes (a convenience, not a permission: the background checks every
   * class it is sent). Without it the choice lasts while the popup is open.
   */
  readonly classChoice?: {
    load(): Promise<string | null>;
    save(classId: string): Promise<void>;
  };
}
