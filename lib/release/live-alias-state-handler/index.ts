/**
 * Deploy-time custom resource: reads the `live` alias as it is now (GetAlias) and answers
 * with the alias configuration the template should declare (see ../alias-plan.ts).
 * CloudFormation calls it only when the published version, the release settings or the warm
 * capacity change, so a deploy without a new version never touches the alias. A change of warm
 * capacity while the alias has weights is refused (../warm-guard.ts): the deploy fails before it
 * reaches the scalable target, and changes nothing.
 */
import { createHash } from 'node:crypto';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { planLiveAlias, type AliasState } from '../alias-plan';
import { refuseWarmChange, statePhysicalId } from '../warm-guard';

const lambda = new LambdaClient({});

export interface LiveAliasStateProperties {
  readonly FunctionName: string;
  readonly AliasName: string;
  /** Version number published by this deploy. */
  readonly PublishedVersion: string;
  /** Arrives as a string: CloudFormation stringifies custom resource properties. */
  readonly InitialWeight: string;
  /**
   * The declared warm capacity (JSON), so that changing it calls this handler.
   * @default - no warm capacity declared
   */
  readonly WarmCapacity?: string;
}

export interface LiveAliasStateResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: {
    readonly FunctionVersion: string;
    readonly AdditionalVersionWeights: ReadonlyArray<{ readonly FunctionVersion: string; readonly FunctionWeight: number }>;
    readonly Reason: string;
  };
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<LiveAliasStateResponse> {
  const props = event.ResourceProperties as unknown as LiveAliasStateProperties & { ServiceToken: string };
  const physicalId = statePhysicalId(
    props.FunctionName,
    props.AliasName,
    props.WarmCapacity ? warmFingerprint(props.WarmCapacity) : undefined,
  );
  if (event.RequestType === 'Delete') {
    // The alias belongs to the stack; reading its state needs no cleanup.
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const current = await readAlias(props.FunctionName, props.AliasName);
  // An empty string would read as 0; let the plan reject it instead.
  const initialWeight = props.InitialWeight?.trim() ? Number(props.InitialWeight) : Number.NaN;
  // On an update, the old properties say which version the previous deploy published:
  // equal means only release settings changed; lower means CloudFormation is rolling back.
  const previous =
    event.RequestType === 'Update' ? (event.OldResourceProperties as Partial<LiveAliasStateProperties>).PublishedVersion : undefined;
  const plan = planLiveAlias(current, props.PublishedVersion, initialWeight, previous);
  console.log(JSON.stringify({ function: props.FunctionName, current: current ?? null, plan }));
  if (event.RequestType === 'Update') {
    const refusal = refuseWarmChange({
      functionName: props.FunctionName,
      aliasName: props.AliasName,
      physicalId: event.PhysicalResourceId,
      fingerprint: props.WarmCapacity ? warmFingerprint(props.WarmCapacity) : undefined,
      current,
      plannedWeights: Object.fromEntries(plan.additionalVersionWeights.map((w) => [w.version, w.weight])),
      rollingBack: previous !== undefined && Number(props.PublishedVersion) < Number(previous),
    });
    // Thrown, the provider reports it as the resource's failure reason: the deploy stops here.
    if (refusal) throw new Error(refusal);
  }
  return {
    PhysicalResourceId: physicalId,
    Data: {
      FunctionVersion: plan.functionVersion,
      AdditionalVersionWeights: plan.additionalVersionWeights.map((w) => ({ FunctionVersion: w.version, FunctionWeight: w.weight })),
      Reason: plan.reason,
    },
  };
}

/** Short and stable: it becomes part of the physical id. */
function warmFingerprint(warm: string): string {
  return createHash('sha256').update(warm).digest('hex').slice(0, 12);
}

/**
 * Waits before retrying an AccessDenied: the GetAlias grant for a new function is added in the
 * same deploy that first calls this handler, and IAM takes a few seconds to apply it.
 */
export const ACCESS_DENIED_RETRY_MS = [2000, 4000, 8000];

async function readAlias(functionName: string, aliasName: string): Promise<AliasState | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await getAlias(functionName, aliasName);
    } catch (error) {
      const delay = ACCESS_DENIED_RETRY_MS[attempt];
      if ((error as { name?: string }).name !== 'AccessDeniedException' || delay === undefined) throw error;
      console.log(
        JSON.stringify({
          function: functionName,
          retry: attempt + 1,
          afterMs: delay,
          reason: 'AccessDenied (IAM may still be applying the grant)',
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function getAlias(functionName: string, aliasName: string): Promise<AliasState | undefined> {
  try {
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: aliasName }));
    if (!alias.FunctionVersion) throw new Error(`GetAlias for ${functionName}:${aliasName} returned no FunctionVersion`);
    return { functionVersion: alias.FunctionVersion, additionalVersionWeights: alias.RoutingConfig?.AdditionalVersionWeights ?? {} };
  } catch (error) {
    // By name, not instanceof: emulators and bundled SDK copies do not share the class.
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
