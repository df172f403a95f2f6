/**
 * The deploy path of warm capacity during a rollout: refused. Pure; the deploy-time custom
 * resource (./live-alias-state-handler) asks it before it answers.
 *
 * Lambda refuses provisioned concurrency changes on an alias with weights, and CloudFormation
 * would apply a changed `warm` to the scalable target in the same deploy — mid-canary, where it
 * fails (and, registered again, would undo the suspension the `faas` CLI holds). Planning around
 * it (keeping the old values until the rollout ends) would deploy something other than the
 * declaration without saying so; refusing says why and what to do, and changes nothing.
 *
 * What "changed" means needs the warm capacity the last successful deploy applied. The old
 * properties cannot tell: when this refusal fails an update, CloudFormation's rollback sends
 * another update with old and new swapped, which must pass. So the applied declaration's
 * fingerprint lives in the resource's physical id, which only a successful answer changes.
 */
import type { AliasState } from './alias-plan';

/** Physical id of the state resource: `<fn>:<alias>`, plus `:warm-<fingerprint>` when warm capacity is declared. */
export function statePhysicalId(functionName: string, aliasName: string, warmFingerprint: string | undefined): string {
  return `${functionName}:${aliasName}${warmFingerprint !== undefined ? `:warm-${warmFingerprint}` : ''}`;
}

/** The fingerprint a physical id carries; undefined when it has none (no warm capacity, or deployed before it carried one). */
function appliedWarmFingerprint(physicalId: string): string | undefined {
  return /:warm-([0-9a-f]+)$/.exec(physicalId)?.[1];
}

export interface WarmChange {
  readonly functionName: string;
  readonly aliasName: string;
  /** The physical id the last successful deploy answered with. */
  readonly physicalId: string;
  /** This deploy's warm capacity fingerprint; undefined when it declares none. */
  readonly fingerprint: string | undefined;
  /** The alias now; undefined on first deploy. */
  readonly current: AliasState | undefined;
  /** The weights this deploy will declare. */
  readonly plannedWeights: Readonly<Record<string, number>>;
  /** CloudFormation is rolling back (the published version goes down): never refused. */
  readonly rollingBack: boolean;
}

/** The refusal's message, or undefined when the deploy may go ahead. */
export function refuseWarmChange(change: WarmChange): string | undefined {
  if (change.rollingBack) return undefined;
  const applied = appliedWarmFingerprint(change.physicalId);
  // Without a fingerprint in the physical id nothing says what was applied (no warm capacity yet, or
  // a resource answered before ids carried one): let it through, as every deploy went before.
  if (applied === undefined || applied === change.fingerprint) return undefined;
  // Any routing entry is a weighted alias to Lambda, the current one or the one this deploy plans.
  const weights = { ...(change.current?.additionalVersionWeights ?? {}), ...change.plannedWeights };
  if (Object.keys(weights).length === 0) return undefined;
  const routed = Object.entries(weights);
  const primary = change.current?.functionVersion ?? '?';
  const split = routed.map(([v, w]) => `${v} at ${Math.round(w * 1000) / 10}%`).join(', ');
  return (
    `refusing to change the warm capacity of ${change.functionName}:${change.aliasName} while a rollout is in progress ` +
    `(${change.aliasName} → ${primary} with ${split}): Lambda refuses provisioned concurrency changes on an alias with weights, ` +
    'so the scalable target would fail mid-deploy. Finish the rollout first (`faas resume`, `faas promote` or `faas rollback`), ' +
    'then deploy again; this deploy changed nothing'
  );
}
