import { planLiveAlias, type AliasPlan, type AliasState } from '../../lib/release/alias-plan';
import { mulberry32 } from '../../simulation/random';

/** The alias as the plan declares it, without the log reason: what CloudFormation will apply. */
function declared(plan: AliasPlan): Omit<AliasPlan, 'reason'> {
  return { functionVersion: plan.functionVersion, additionalVersionWeights: plan.additionalVersionWeights };
}

function alias(functionVersion: string, additionalVersionWeights: Record<string, number> = {}): AliasState {
  return { functionVersion, additionalVersionWeights };
}

describe('planLiveAlias', () => {
  describe('first deploy', () => {
    it('points live at the published version with no additional weights', () => {
      // GIVEN no alias yet
      // WHEN version 1 is published
      const plan = planLiveAlias(undefined, '1', 0.1);

      // THEN all traffic goes to version 1: there is nothing older to keep serving
      expect(declared(plan)).toEqual({ functionVersion: '1', additionalVersionWeights: [] });
      expect(plan.reason).toMatch(/first deploy/);
    });
  });

  describe('a new version', () => {
    it('gets the initial weight while the stable version keeps the rest', () => {
      // GIVEN live on 3
      // WHEN 4 is published with an initial weight of 10%
      const plan = planLiveAlias(alias('3'), '4', 0.1);

      // THEN
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [{ version: '4', weight: 0.1 }] });
      expect(plan.reason).toMatch(/new version 4 gets 10% of traffic; stable 3 keeps the rest/);
    });

    it('gets no traffic at an initial weight of 0', () => {
      // GIVEN live on 3
      // WHEN 4 is published with an initial weight of 0
      const plan = planLiveAlias(alias('3'), '4', 0);

      // THEN live stays on 3 alone, waiting for `faas canary`
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [] });
      expect(plan.reason).toMatch(/no traffic until `faas canary`/);
    });

    it('supersedes a candidate in flight and gets no more than the initial weight', () => {
      // GIVEN a rollout of 4 at 50% on top of stable 3
      // WHEN 5 is published with an initial weight of 10%
      const plan = planLiveAlias(alias('3', { '4': 0.5 }), '5', 0.1);

      // THEN candidate 4 is dropped and 5 starts at 10%, not at the 50% 4 had reached
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [{ version: '5', weight: 0.1 }] });
      expect(plan.reason).toMatch(/supersedes candidate 4/);
    });

    it('leaves a candidate in flight alone at an initial weight of 0 (the new version waits for faas canary)', () => {
      // GIVEN a rollout of 4 at 50% on top of stable 3
      // WHEN 5 is published with an initial weight of 0
      const plan = planLiveAlias(alias('3', { '4': 0.5 }), '5', 0);

      // THEN the alias is exactly as it was
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [{ version: '4', weight: 0.5 }] });
      expect(plan.reason).toMatch(/no traffic until `faas canary`/);
    });
  });

  describe('updates that publish no new version, and stack rollbacks', () => {
    it('a re-run caused only by a changed initial weight leaves the alias as it is (an operator rollback stays)', () => {
      // GIVEN 4 was published, then the operator rolled live back to 3 only
      // WHEN a deploy changes initialWeight 0.1 → 0.2 but publishes nothing new (4 again)
      const plan = planLiveAlias(alias('3'), '4', 0.2, '4');
      // THEN 4 does not get traffic again
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [] });
    });

    it('a stack rollback takes the failed version off the alias and keeps the rest', () => {
      // GIVEN the failed deploy put 5 at 10% on top of stable 3
      // WHEN CloudFormation rolls back to the template that published 4
      const plan = planLiveAlias(alias('3', { '5': 0.1 }), '4', 0.1, '5');
      // THEN 5 gets no traffic; 3 stays primary
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [] });
      expect(plan.reason).toMatch(/stack rollback: version 5 taken off the alias/);
    });

    it('a stack rollback after an initial-weight-0 deploy leaves a rollout in progress untouched', () => {
      const plan = planLiveAlias(alias('3', { '4': 0.5 }), '4', 0, '5');
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [{ version: '4', weight: 0.5 }] });
    });

    it('a stack rollback never demotes a version the CLI already promoted', () => {
      const plan = planLiveAlias(alias('5'), '4', 0.1, '5');
      expect(declared(plan)).toEqual({ functionVersion: '5', additionalVersionWeights: [] });
      expect(plan.reason).toMatch(/left for `faas rollback`/);
    });

    it('compares versions as numbers, not as strings', () => {
      // GIVEN live on 9 ('10' < '9' as strings)
      // WHEN 10 is published
      const plan = planLiveAlias(alias('9'), '10', 0.1);

      // THEN 10 is the newer version
      expect(declared(plan)).toEqual({ functionVersion: '9', additionalVersionWeights: [{ version: '10', weight: 0.1 }] });
    });
  });

  describe('the published version is already on the alias', () => {
    it('leaves a rollout in progress untouched', () => {
      // GIVEN the CLI has moved candidate 4 to 25%
      // WHEN a deploy without a code change publishes 4 again
      const plan = planLiveAlias(alias('3', { '4': 0.25 }), '4', 0.1);

      // THEN the rollout continues where it was, not reset to the initial weight
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [{ version: '4', weight: 0.25 }] });
      expect(plan.reason).toMatch(/already on the alias/);
    });

    it('changes nothing after a promotion', () => {
      // GIVEN 4 has been promoted: live on 4 alone
      // WHEN the next deploy publishes 4
      const plan = planLiveAlias(alias('4'), '4', 0.1);

      // THEN no drift
      expect(declared(plan)).toEqual({ functionVersion: '4', additionalVersionWeights: [] });
    });
  });

  describe('the published version is older than what live serves', () => {
    it.each([
      ['without a candidate', alias('5')],
      ['with a candidate', alias('5', { '6': 0.2 })],
    ])('never routes to a version older than stable (%s)', (_case, current) => {
      // GIVEN live on 5 (the CLI promoted past what this deploy published)
      // WHEN 4 is published
      const plan = planLiveAlias(current, '4', 0.1);

      // THEN live is left as it is
      expect(declared(plan)).toEqual({
        functionVersion: '5',
        additionalVersionWeights: Object.entries(current.additionalVersionWeights).map(([version, weight]) => ({ version, weight })),
      });
      expect(plan.reason).toMatch(/older than what live serves/);
    });

    it('leaves a candidate newer than the published version untouched', () => {
      // GIVEN the CLI published 5 and is rolling it out on top of stable 3
      // WHEN this deploy publishes 4
      const plan = planLiveAlias(alias('3', { '5': 0.3 }), '4', 0.1);

      // THEN the CLI's rollout of 5 continues; 4 gets nothing
      expect(declared(plan)).toEqual({ functionVersion: '3', additionalVersionWeights: [{ version: '5', weight: 0.3 }] });
      expect(plan.reason).toMatch(/older than what live serves/);
    });
  });

  describe('validation', () => {
    it.each(['$LATEST', '', '4.1', '-4', 'live'])('throws for published version %p', (published) => {
      expect(() => planLiveAlias(alias('3'), published, 0.1)).toThrow(/published version must be a version number, got: /);
    });

    it.each([1.5, -0.1, NaN, Infinity])('throws for initial weight %p', (initialWeight) => {
      expect(() => planLiveAlias(alias('3'), '4', initialWeight)).toThrow(/initial weight must be between 0 and 1, got: /);
    });

    it('names the offending value', () => {
      expect(() => planLiveAlias(undefined, '$LATEST', 0.1)).toThrow('published version must be a version number, got: $LATEST');
      expect(() => planLiveAlias(undefined, '1', 1.5)).toThrow('initial weight must be between 0 and 1, got: 1.5');
    });

    it.each([0, 1])('accepts initial weight %p (the bounds are inclusive)', (initialWeight) => {
      expect(() => planLiveAlias(alias('3'), '4', initialWeight)).not.toThrow();
    });
  });

  describe('release invariants over seeded random states', () => {
    const random = mulberry32;

    interface Case {
      readonly current: AliasState | undefined;
      readonly published: string;
      readonly initialWeight: number;
    }

    function cases(count: number, seed: number): Case[] {
      const next = random(seed);
      const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
      const initialWeights = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1];
      return Array.from({ length: count }, () => {
        const initialWeight = initialWeights[int(0, initialWeights.length - 1)];
        const published = String(int(1, 12));
        if (next() < 0.1) return { current: undefined, published, initialWeight };
        const stable = int(1, 10);
        // Candidates are newer than stable, as the CLI creates them; their weights sum to less than 1.
        const weights: Record<string, number> = {};
        for (let i = int(0, 2); i > 0; i--) {
          weights[String(stable + int(1, 3))] = Math.round(next() * 49) / 100;
        }
        return { current: alias(String(stable), weights), published, initialWeight };
      });
    }

    const all = cases(500, 20240601);

    it('covers each branch of the plan', () => {
      const reasons = all.map(({ current, published, initialWeight }) => planLiveAlias(current, published, initialWeight).reason);
      for (const branch of [/first deploy/, /already on the alias/, /older than what live serves/, /^new version/, /supersedes/]) {
        expect(reasons.some((r) => branch.test(r))).toBe(true);
      }
    });

    /** Every release rule the plan breaks for one case, in words; empty when it keeps them all. */
    function broken({ current, published, initialWeight }: Case): string[] {
      const plan = planLiveAlias(current, published, initialWeight);
      const problems: string[] = [];
      const total = plan.additionalVersionWeights.reduce((sum, w) => sum + w.weight, 0);
      if (total > 1) problems.push(`additional weights sum to ${total}`);
      if (current === undefined) {
        if (plan.functionVersion !== published || plan.additionalVersionWeights.length > 0) problems.push('first deploy not on published');
        return problems;
      }
      const alreadyOnAlias = published === current.functionVersion || published in current.additionalVersionWeights;
      if (!alreadyOnAlias) {
        const share =
          plan.functionVersion === published ? 1 : (plan.additionalVersionWeights.find((w) => w.version === published)?.weight ?? 0);
        if (share > initialWeight) problems.push(`new version ${published} gets ${share} > initial ${initialWeight}`);
      }
      for (const version of [plan.functionVersion, ...plan.additionalVersionWeights.map((w) => w.version)]) {
        if (Number(version) < Number(current.functionVersion))
          problems.push(`routes to ${version}, older than stable ${current.functionVersion}`);
      }
      return problems;
    }

    it('never gives a new version more than the initial weight, never routes below stable, never exceeds a total weight of 1', () => {
      // GIVEN 500 seeded states and published versions
      // WHEN each is planned
      const violations = all.flatMap((c) => broken(c).map((problem) => `${JSON.stringify(c)}: ${problem}`));

      // THEN no rule is broken
      expect(violations).toEqual([]);
    });

    it('leaves the alias exactly as it is whenever the published version is already on it', () => {
      // GIVEN the seeded cases whose published version is already routed to
      const onAlias = all.filter(
        (c): c is Case & { current: AliasState } =>
          c.current !== undefined && (c.published === c.current.functionVersion || c.published in c.current.additionalVersionWeights),
      );
      expect(onAlias.length).toBeGreaterThan(20);

      // WHEN each is planned / THEN nothing changes
      for (const { current, published, initialWeight } of onAlias) {
        expect(declared(planLiveAlias(current, published, initialWeight))).toEqual({
          functionVersion: current.functionVersion,
          additionalVersionWeights: Object.entries(current.additionalVersionWeights).map(([version, weight]) => ({ version, weight })),
        });
      }
    });
  });
});
