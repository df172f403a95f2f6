/**
 * The live alias and its versions, over @aws-sdk/client-lambda. Every write carries the
 * RevisionId that was read: a concurrent change fails the write instead of being overwritten.
 */
import {
  GetAliasCommand,
  GetFunctionConcurrencyCommand,
  GetProvisionedConcurrencyConfigCommand,
  ListVersionsByFunctionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { LIVE_ALIAS } from '../../lib/contract';
import { AwsError, ConflictError, awsFailure } from './failures';

/** The live alias as the CLI sees it: at most one candidate (Lambda allows one additional version). */
export interface LiveAlias {
  readonly primary: string;
  readonly candidate?: string;
  readonly weight: number;
  readonly revisionId: string;
}

export interface AliasTarget {
  readonly primary: string;
  /** Without a candidate all traffic goes to the primary (no routing config). */
  readonly candidate?: string;
  readonly weight?: number;
}

export interface WarmCapacity {
  readonly status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  readonly requested: number;
  readonly allocated: number;
  readonly reason?: string;
}

export class LambdaAdapter {
  constructor(private readonly client: LambdaClient) {}

  async getAlias(functionName: string): Promise<LiveAlias> {
    try {
      const alias = await this.client.send(new GetAliasCommand({ FunctionName: functionName, Name: LIVE_ALIAS }));
      const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
      const [candidate, weight] = weights[0] ?? [undefined, 0];
      return { primary: alias.FunctionVersion ?? '', candidate, weight, revisionId: alias.RevisionId ?? '' };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') {
        throw new AwsError(
          `function ${functionName} has no "${LIVE_ALIAS}" alias (${(error as Error).message})`,
          'deploy the stack first: npm run deploy',
        );
      }
      throw awsFailure(`GetAlias ${functionName}:${LIVE_ALIAS}`, error);
    }
  }

  /** Writes the alias only if nobody changed it since `revisionId` was read; returns the new RevisionId. */
  async updateAlias(functionName: string, target: AliasTarget, revisionId: string): Promise<LiveAlias> {
    const routing = target.candidate === undefined ? {} : { [target.candidate]: target.weight ?? 0 };
    try {
      const updated = await this.client.send(
        new UpdateAliasCommand({
          FunctionName: functionName,
          Name: LIVE_ALIAS,
          FunctionVersion: target.primary,
          RoutingConfig: { AdditionalVersionWeights: routing },
          RevisionId: revisionId,
        }),
      );
      return {
        primary: target.primary,
        candidate: target.candidate,
        weight: target.candidate === undefined ? 0 : (target.weight ?? 0),
        revisionId: updated.RevisionId ?? '',
      };
    } catch (error) {
      if ((error as Error).name === 'PreconditionFailedException') {
        throw new ConflictError(
          `someone else changed the alias ${functionName}:${LIVE_ALIAS} since it was read (revision ${revisionId}); nothing ` +
            'was overwritten',
          `look at it with \`faas status\`, then continue with \`faas resume\` or undo with \`faas rollback\``,
        );
      }
      throw awsFailure(`UpdateAlias ${functionName}:${LIVE_ALIAS}`, error);
    }
  }

  /** Published version numbers, ascending ($LATEST excluded). */
  async listVersions(functionName: string): Promise<string[]> {
    const versions: string[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker }));
        for (const v of page.Versions ?? []) if (v.Version && v.Version !== '$LATEST') versions.push(v.Version);
        marker = page.NextMarker;
      } while (marker);
    } catch (error) {
      throw awsFailure(`ListVersionsByFunction ${functionName}`, error);
    }
    return versions.sort((a, b) => Number(a) - Number(b));
  }

  /** Provisioned concurrency on a qualifier (version or alias); undefined when none is configured. */
  async warmCapacity(functionName: string, qualifier: string): Promise<WarmCapacity | undefined> {
    try {
      const pc = await this.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier }));
      return {
        status: pc.Status ?? 'IN_PROGRESS',
        requested: pc.RequestedProvisionedConcurrentExecutions ?? 0,
        allocated: pc.AllocatedProvisionedConcurrentExecutions ?? 0,
        reason: pc.StatusReason,
      };
    } catch (error) {
      if ((error as Error).name === 'ProvisionedConcurrencyConfigNotFoundException') return undefined;
      throw awsFailure(`GetProvisionedConcurrencyConfig ${functionName}:${qualifier}`, error);
    }
  }

  /**
   * Puts provisioned concurrency on live. Lambda refuses it while the alias has weights
   * ("Alias with weights can not be used with Provisioned Concurrency"): the rollout sets it
   * before the first weight and after the last.
   */
  async provisionWarmCapacity(functionName: string, level: number): Promise<void> {
    try {
      await this.client.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: functionName,
          Qualifier: LIVE_ALIAS,
          ProvisionedConcurrentExecutions: level,
        }),
      );
    } catch (error) {
      const failure = awsFailure(`PutProvisionedConcurrencyConfig ${functionName}:${LIVE_ALIAS} ${level}`, error);
      if (/Alias with weights/.test((error as Error).message ?? '')) {
        throw new AwsError(
          failure.message,
          'provisioned concurrency can change only while live has no weights: `faas rollback` (or finish with `faas resume`), then retry',
        );
      }
      throw failure;
    }
  }

  /** The function's reserved concurrency; undefined when unreserved. */
  async reservedConcurrency(functionName: string): Promise<number | undefined> {
    try {
      return (await this.client.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }))).ReservedConcurrentExecutions;
    } catch (error) {
      throw awsFailure(`GetFunctionConcurrency ${functionName}`, error);
    }
  }
}
