/**
 * Warm capacity for the CLI's test doubles (beside ./fake-aws.ts): live's provisioned concurrency
 * and its Application Auto Scaling scalable target, with Lambda's rule — no provisioned
 * concurrency change while the alias has weights — and one ordered log of every call either
 * client received, so a test can assert the exact sequence.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  ListTagsForResourceCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  GetFunctionConcurrencyCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FN, lambdaMock, type FakeAws } from './fake-aws';

export const scalingMock = mockClient(ApplicationAutoScalingClient);

export const TARGET_ARN = 'arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0123abcd';

export interface WarmRecord {
  /** Provisioned concurrency on live. */
  requested: number;
  /** GetProvisionedConcurrencyConfig reads IN_PROGRESS this many times after a put. */
  inProgressReads: number;
  target?: { min: number; max: number; suspended: { in: boolean; out: boolean; scheduled: boolean }; tags: Record<string, string> };
  reserved?: number;
  /** Every warm-capacity call to Lambda and Application Auto Scaling (and, with logAliasWrites, alias writes), in order. */
  readonly calls: string[];
  /**
   * A call that never answers from its next occurrence on, as if the process were killed there,
   * e.g. "PutProvisionedConcurrencyConfig live=2".
   */
  killAt?: string;
}

const never = () => new Promise<never>(() => undefined);

/** Weights on the alias, as Lambda sees them: any routing config. */
const weighted = (aws: FakeAws) => aws.alias.candidate !== undefined;

/** Adds live's warm capacity to fakeAws(...)'s function; call after fakeAws. */
export function fakeWarm(
  aws: FakeAws,
  initial: { requested: number; min?: number; max?: number; scalableTarget?: boolean; reserved?: number },
): WarmRecord {
  scalingMock.reset();
  const warm: WarmRecord = {
    requested: initial.requested,
    inProgressReads: 0,
    ...(initial.scalableTarget === false
      ? {}
      : {
          target: {
            min: initial.min ?? initial.requested,
            max: initial.max ?? 10,
            suspended: { in: false, out: false, scheduled: false },
            tags: {},
          },
        }),
    ...(initial.reserved !== undefined ? { reserved: initial.reserved } : {}),
    calls: [],
  };
  let pendingReads = 0;
  lambdaMock
    .on(PutProvisionedConcurrencyConfigCommand)
    .callsFake((input: { ProvisionedConcurrentExecutions?: number; Qualifier?: string }) => {
      const call = `PutProvisionedConcurrencyConfig live=${input.ProvisionedConcurrentExecutions}`;
      if (warm.killAt === call) return never();
      warm.calls.push(call);
      if (input.Qualifier === 'live' && weighted(aws)) {
        throw new InvalidParameterValueException({
          message: 'Alias with weights can not be used with Provisioned Concurrency',
          $metadata: { httpStatusCode: 400 },
        });
      }
      warm.requested = input.ProvisionedConcurrentExecutions ?? 0;
      pendingReads = warm.inProgressReads;
      return { RequestedProvisionedConcurrentExecutions: warm.requested, Status: pendingReads > 0 ? 'IN_PROGRESS' : 'READY' };
    });
  lambdaMock.on(GetProvisionedConcurrencyConfigCommand, { Qualifier: 'live' }).callsFake(() => {
    const ready = pendingReads === 0;
    if (!ready) pendingReads--;
    warm.calls.push(`GetProvisionedConcurrencyConfig live ${ready ? 'READY' : 'IN_PROGRESS'} ${warm.requested}`);
    return {
      Status: ready ? 'READY' : 'IN_PROGRESS',
      RequestedProvisionedConcurrentExecutions: warm.requested,
      AllocatedProvisionedConcurrentExecutions: ready ? warm.requested : 0,
    };
  });
  lambdaMock.on(GetFunctionConcurrencyCommand).callsFake(() => {
    warm.calls.push('GetFunctionConcurrency');
    return warm.reserved !== undefined ? { ReservedConcurrentExecutions: warm.reserved } : {};
  });

  scalingMock.on(DescribeScalableTargetsCommand).callsFake((input: { ResourceIds?: string[] }) => {
    warm.calls.push('DescribeScalableTargets');
    const t = warm.target;
    if (!t || input.ResourceIds?.[0] !== `function:${FN}:live`) return { ScalableTargets: [] };
    return {
      ScalableTargets: [
        {
          ServiceNamespace: 'lambda',
          ResourceId: `function:${FN}:live`,
          ScalableDimension: 'lambda:function:ProvisionedConcurrency',
          MinCapacity: t.min,
          MaxCapacity: t.max,
          RoleARN: 'arn:aws:iam::123456789012:role/aas',
          CreationTime: new Date(0),
          ScalableTargetARN: TARGET_ARN,
          SuspendedState: {
            DynamicScalingInSuspended: t.suspended.in,
            DynamicScalingOutSuspended: t.suspended.out,
            ScheduledScalingSuspended: t.suspended.scheduled,
          },
        },
      ],
    };
  });
  scalingMock.on(ListTagsForResourceCommand).callsFake(() => {
    warm.calls.push('ListTagsForResource');
    return { Tags: { ...warm.target?.tags } };
  });
  scalingMock
    .on(RegisterScalableTargetCommand)
    .callsFake(
      (input: {
        MinCapacity?: number;
        MaxCapacity?: number;
        SuspendedState?: { DynamicScalingInSuspended?: boolean; DynamicScalingOutSuspended?: boolean; ScheduledScalingSuspended?: boolean };
      }) => {
        const t = warm.target!;
        const s = input.SuspendedState;
        const suspended = s ? [s.DynamicScalingInSuspended, s.DynamicScalingOutSuspended, s.ScheduledScalingSuspended].join(',') : '';
        const settings = [
          input.MinCapacity !== undefined ? `min=${input.MinCapacity}` : '',
          input.MaxCapacity !== undefined ? `max=${input.MaxCapacity}` : '',
          s ? `suspended=${suspended}` : '',
        ];
        warm.calls.push(`RegisterScalableTarget ${settings.filter(Boolean).join(' ')}`);
        if (input.MinCapacity !== undefined) t.min = input.MinCapacity;
        if (input.MaxCapacity !== undefined) t.max = input.MaxCapacity;
        if (s)
          t.suspended = {
            in: s.DynamicScalingInSuspended ?? t.suspended.in,
            out: s.DynamicScalingOutSuspended ?? t.suspended.out,
            scheduled: s.ScheduledScalingSuspended ?? t.suspended.scheduled,
          };
        return {};
      },
    );
  scalingMock.on(TagResourceCommand).callsFake((input: { Tags?: Record<string, string> }) => {
    warm.calls.push(
      `TagResource ${Object.entries(input.Tags ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    Object.assign(warm.target!.tags, input.Tags);
    return {};
  });
  scalingMock.on(UntagResourceCommand).callsFake((input: { TagKeys?: string[] }) => {
    warm.calls.push(`UntagResource ${(input.TagKeys ?? []).join(' ')}`);
    for (const k of input.TagKeys ?? []) delete warm.target!.tags[k];
    return {};
  });
  return warm;
}

/** Alias writes in the same log as the warm calls: "UpdateAlias 3 4=0.01", "UpdateAlias 4". */
export function logAliasWrites(aws: FakeAws, warm: WarmRecord): void {
  const original = aws.writes.push.bind(aws.writes);
  aws.writes.push = (...items) => {
    for (const w of items)
      warm.calls.push(`UpdateAlias ${[w.primary, ...Object.entries(w.routing).map(([v, weight]) => `${v}=${weight}`)].join(' ')}`);
    return original(...items);
  };
}

/** Application Auto Scaling without a scalable target for the function (provisioned concurrency set by hand). */
export function noScalableTargets(): void {
  scalingMock.reset();
  scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
}
