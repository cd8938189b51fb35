/**
 * declarativeNetRequest in memory, for the parts src/platform/dnr.ts uses:
 * dynamic rules replaced by updateDynamicRules (all or nothing, as in
 * Chrome: one refused rule refuses the whole update) and read back by
 * getDynamicRules, and isRegexSupported. Rules are checked as Chrome checks
 * them when they are added (tests/unit/support/dnr-simulator.ts), and the
 * rules in force judge requests with the same simulator.
 */
import type { DnrRule, ResourceType } from '../../../../src/core/rules/compile';
import { DnrSimulator, type SimulatedOutcome } from '../../support/dnr-simulator';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class InMemoryDnr {
  private rules: DnrRule[] = [];
  /** How often updateDynamicRules was called (refused calls included). */
  updates = 0;
  /** How often getDynamicRules was called. */
  reads = 0;
  /** Regular expressions the "browser" refuses (Chrome refuses those whose compiled program is too large). */
  refuseRegex: (regex: string) => boolean = () => false;

  /** The rules in force, as the browser holds them. */
  get inForce(): readonly DnrRule[] {
    return this.rules;
  }

  /** Puts `rules` in force as the browser keeps them across a restart of the service worker. */
  install(rules: readonly DnrRule[]): void {
    new DnrSimulator(rules);
    this.rules = copy([...rules]);
  }

  /** How the rules in force treat a request. */
  evaluate(url: string, type: ResourceType = 'main_frame'): SimulatedOutcome {
    return new DnrSimulator(this.rules).evaluate({ url, type });
  }

  readonly api = {
    getDynamicRules: async (): Promise<DnrRule[]> => {
      this.reads += 1;
      return copy(this.rules);
    },
    updateDynamicRules: async (options: { removeRuleIds?: number[]; addRules?: DnrRule[] }): Promise<void> => {
      this.updates += 1;
      const remove = new Set(options.removeRuleIds ?? []);
      const next = [...this.rules.filter((rule) => !remove.has(rule.id)), ...copy(options.addRules ?? [])];
      const refused = next.find((rule) => rule.condition.regexFilter !== undefined && this.refuseRegex(rule.condition.regexFilter));
      if (refused) throw new Error(`Rule with id ${refused.id} specified a more complex regex than allowed as part of the "regexFilter" key.`);
      new DnrSimulator(next); // throws, like the browser, for a rule it would refuse
      this.rules = next;
    },
    isRegexSupported: async ({ regex }: { regex: string }): Promise<{ isSupported: boolean; reason?: string }> =>
      this.refuseRegex(regex) ? { isSupported: false, reason: 'memoryLimitExceeded' } : { isSupported: true },
  };
}
