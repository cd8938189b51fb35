/** Rules in force for a test: nothing from IT, no lesson, no pause, unless `over` says otherwise. */
import type { EffectiveRules } from '../../../src/core/rules/resolve';

export const rules = (over: Partial<EffectiveRules> = {}): EffectiveRules => ({
  itAllowed: [],
  itBlocked: [],
  itEmbeds: [],
  exceptions: [],
  lesson: null,
  paused: false,
  test: false,
  tabLimit: null,
  ...over,
});
