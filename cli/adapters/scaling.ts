/**
 * The live alias's scalable target (Application Auto Scaling, what `warm` declares), over
 * @aws-sdk/client-application-auto-scaling: read it with its suspended state and the rollout's
 * hold (tags on the target), suspend or resume its scaling, record or remove the hold.
 */
import {
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ApplicationAutoScalingClient,
} from '@aws-sdk/client-application-auto-scaling';
import type { SuspendedState, WarmHold, WarmState } from '../engine/warm-capacity';
import { awsFailure } from './failures';
import { LIVE_ALIAS } from '../../lib/contract';

export type ScalableTarget = NonNullable<WarmState['target']> & { readonly arn: string };

/** Tag keys of a hold; values are what WarmHold holds. */
const HOLD_TAGS = { candidate: 'faas:rollout-candidate', levelBefore: 'faas:warm-level-before' } as const;

const DIMENSION = 'lambda:function:ProvisionedConcurrency';

export class ScalingAdapter {
  constructor(private readonly client: ApplicationAutoScalingClient) {}

  /** The alias's scalable target; undefined when there is none. */
  async scalableTarget(functionName: string): Promise<ScalableTarget | undefined> {
    const resourceId = this.resourceId(functionName);
    let found;
    try {
      const answer = await this.client.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: 'lambda', ResourceIds: [resourceId], ScalableDimension: DIMENSION }),
      );
      found = answer.ScalableTargets?.find((t) => t.ResourceId === resourceId);
    } catch (error) {
      throw awsFailure(`DescribeScalableTargets ${resourceId}`, error);
    }
    if (!found) return undefined;
    const arn = found.ScalableTargetARN ?? '';
    const s = found.SuspendedState;
    const suspended: SuspendedState = {
      dynamicScalingIn: s?.DynamicScalingInSuspended === true,
      dynamicScalingOut: s?.DynamicScalingOutSuspended === true,
      scheduled: s?.ScheduledScalingSuspended === true,
    };
    const hold = arn ? await this.hold(arn) : undefined;
    return { arn, min: found.MinCapacity ?? 0, max: found.MaxCapacity ?? 0, suspended, ...(hold ? { hold } : {}) };
  }

  /** Sets the three suspend switches; min and max stay as registered (as declared). */
  async setSuspended(functionName: string, suspended: SuspendedState): Promise<void> {
    const resourceId = this.resourceId(functionName);
    try {
      await this.client.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'lambda',
          ResourceId: resourceId,
          ScalableDimension: DIMENSION,
          SuspendedState: {
            DynamicScalingInSuspended: suspended.dynamicScalingIn,
            DynamicScalingOutSuspended: suspended.dynamicScalingOut,
            ScheduledScalingSuspended: suspended.scheduled,
          },
        }),
      );
    } catch (error) {
      throw awsFailure(`RegisterScalableTarget ${resourceId} (SuspendedState)`, error);
    }
  }

  async recordHold(target: ScalableTarget, hold: WarmHold): Promise<void> {
    try {
      await this.client.send(
        new TagResourceCommand({
          ResourceARN: target.arn,
          Tags: { [HOLD_TAGS.candidate]: hold.candidate, [HOLD_TAGS.levelBefore]: String(hold.levelBefore) },
        }),
      );
    } catch (error) {
      throw awsFailure(`TagResource ${target.arn}`, error);
    }
  }

  async removeHold(target: ScalableTarget): Promise<void> {
    try {
      await this.client.send(new UntagResourceCommand({ ResourceARN: target.arn, TagKeys: [HOLD_TAGS.candidate, HOLD_TAGS.levelBefore] }));
    } catch (error) {
      throw awsFailure(`UntagResource ${target.arn}`, error);
    }
  }

  private async hold(arn: string): Promise<WarmHold | undefined> {
    let tags: Record<string, string>;
    try {
      tags = (await this.client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags ?? {};
    } catch (error) {
      throw awsFailure(`ListTagsForResource ${arn}`, error);
    }
    const candidate = tags[HOLD_TAGS.candidate];
    const levelBefore = Number(tags[HOLD_TAGS.levelBefore]);
    return candidate !== undefined && Number.isInteger(levelBefore) ? { candidate, levelBefore } : undefined;
  }

  private resourceId(functionName: string): string {
    return `function:${functionName}:${LIVE_ALIAS}`;
  }
}
