/**
 * What a deploy does to the `live` alias. Pure: the live state comes in, the alias
 * configuration to declare comes out. Used by the deploy-time custom resource; the
 * `faas` CLI moves weights afterwards, and whatever it set survives the next deploy.
 *
 * Rules (docs/architecture.md, "Release model"):
 *  1. First deploy: the alias points at the published version.
 *  2. A new version gets at most the declared initial weight; the stable version keeps the rest.
 *  3. Nothing older than the stable version ever receives live traffic.
 *  4. A deploy that publishes no new version leaves the alias exactly as it is
 *     (a rollout in progress continues; after a promotion nothing changes).
 *  5. With initial weight 0 a deploy never changes an existing alias: the new version waits
 *     for `faas canary` (a candidate in flight keeps its weight).
 *  6. A stack rollback (the published version goes back down) takes the failed version off
 *     the alias and leaves everything else as it is.
 */

/** The alias as Lambda reports it. */
export interface AliasState {
  /** Primary (stable) version. */
  readonly functionVersion: string;
  /** Candidate versions and their share of traffic. */
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
}

export interface AliasPlan {
  readonly functionVersion: string;
  /** Empty when all traffic goes to functionVersion. */
  readonly additionalVersionWeights: ReadonlyArray<{ readonly version: string; readonly weight: number }>;
  /** Why, for the deploy log. */
  readonly reason: string;
}

/**
 * @param previous the version the previous deploy published (CloudFormation's old properties on
 *   an update); absent on the first deploy.
 */
export function planLiveAlias(current: AliasState | undefined, published: string, initialWeight: number, previous?: string): AliasPlan {
  if (!/^\d+$/.test(published)) {
    throw new Error(`published version must be a version number, got: ${published}`);
  }
  if (!(initialWeight >= 0 && initialWeight <= 1)) {
    throw new Error(`initial weight must be between 0 and 1, got: ${initialWeight}`);
  }
  if (current !== undefined && !/^\d+$/.test(current.functionVersion)) {
    throw new Error(
      `live alias must point at a published version, got: ${current.functionVersion}; fix: point it at a version number with ` +
        `\`faas rollback\` or UpdateAlias`,
    );
  }
  if (current === undefined) {
    return { functionVersion: published, additionalVersionWeights: [], reason: 'first deploy: live points at the published version' };
  }

  const unchanged = keep(current);
  const stable = Number(current.functionVersion);
  const candidates = Object.keys(current.additionalVersionWeights);
  const newest = Number(published);

  if (previous !== undefined && published === previous) {
    return { ...unchanged, reason: `no new version (still ${published}): left as it is` };
  }
  if (previous !== undefined && /^\d+$/.test(previous) && newest < Number(previous)) {
    // CloudFormation is rolling back the deploy that published `previous`.
    const { [previous]: _failed, ...others } = current.additionalVersionWeights;
    const primaryNote = current.functionVersion === previous ? ` (${previous} is primary: left for \`faas rollback\`)` : '';
    return {
      ...keep({ functionVersion: current.functionVersion, additionalVersionWeights: others }),
      reason: `stack rollback: version ${previous} taken off the alias${primaryNote}`,
    };
  }
  if (published === current.functionVersion || candidates.includes(published)) {
    return { ...unchanged, reason: `version ${published} is already on the alias: left as it is` };
  }
  if (newest < stable || candidates.some((c) => Number(c) > newest)) {
    return { ...unchanged, reason: `version ${published} is older than what live serves: left as it is` };
  }
  if (initialWeight === 0) {
    return { ...unchanged, reason: `new version ${published} gets no traffic until \`faas canary\`; live left as it is` };
  }
  // A newer version with a canary weight supersedes any candidate in flight.
  const superseded = candidates.length > 0 ? ` (supersedes candidate ${candidates.join(', ')})` : '';
  return {
    functionVersion: current.functionVersion,
    additionalVersionWeights: [{ version: published, weight: initialWeight }],
    reason:
      `new version ${published} gets ${round(initialWeight * 100)}% of traffic; stable ${current.functionVersion} keeps ` +
      `the rest${superseded}`,
  };
}

function keep(current: AliasState): Omit<AliasPlan, 'reason'> {
  return {
    functionVersion: current.functionVersion,
    additionalVersionWeights: Object.entries(current.additionalVersionWeights).map(([version, weight]) => ({ version, weight })),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
