import { GetAliasCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEventCommon,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, type LiveAliasStateProperties } from '../../lib/release/live-alias-state-handler';

const lambdaMock = mockClient(LambdaClient);

const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:123456789012:function:FaasLiveAliasStateProvider';

function properties(overrides: Partial<LiveAliasStateProperties> = {}): LiveAliasStateProperties & { ServiceToken: string } {
  return {
    ServiceToken: SERVICE_TOKEN,
    FunctionName: 'orders-api',
    AliasName: 'live',
    PublishedVersion: '4',
    InitialWeight: '0.1',
    ...overrides,
  };
}

function common(props: LiveAliasStateProperties & { ServiceToken: string }): CloudFormationCustomResourceEventCommon {
  return {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/presigned',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/faas-platform/0a1b2c3d',
    RequestId: 'c8a1f0b2-7d4e-4f5a-9b3c-2e1d0f9a8b7c',
    LogicalResourceId: 'OrdersApiReleaseState',
    ResourceType: 'Custom::FaasLiveAliasState',
    ResourceProperties: props,
  };
}

function createEvent(overrides: Partial<LiveAliasStateProperties> = {}): CloudFormationCustomResourceCreateEvent {
  return { ...common(properties(overrides)), RequestType: 'Create' };
}

function updateEvent(overrides: Partial<LiveAliasStateProperties> = {}): CloudFormationCustomResourceUpdateEvent {
  return {
    ...common(properties(overrides)),
    RequestType: 'Update',
    PhysicalResourceId: 'orders-api:live',
    OldResourceProperties: properties({ PublishedVersion: '3' }),
  };
}

function deleteEvent(): CloudFormationCustomResourceDeleteEvent {
  return { ...common(properties()), RequestType: 'Delete', PhysicalResourceId: 'orders-api:live' };
}

function notFound(): ResourceNotFoundException {
  return new ResourceNotFoundException({ message: 'Alias not found: live', $metadata: { httpStatusCode: 404 } });
}

beforeEach(() => {
  lambdaMock.reset();
  // The handler logs its plan for the deploy log; keep test output clean.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('live alias state handler', () => {
  it('reads the alias named in the properties and answers with FunctionName:AliasName as physical id', async () => {
    // GIVEN live on 3
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });

    // WHEN
    const response = await handler(createEvent({ FunctionName: 'billing-worker', AliasName: 'live' }));

    // THEN
    expect(lambdaMock).toHaveReceivedCommandTimes(GetAliasCommand, 1);
    expect(lambdaMock).toHaveReceivedCommandWith(GetAliasCommand, { FunctionName: 'billing-worker', Name: 'live' });
    expect(response.PhysicalResourceId).toBe('billing-worker:live');
  });

  it('on first deploy (no alias yet) points live at the published version', async () => {
    // GIVEN GetAlias reports the alias does not exist
    lambdaMock.on(GetAliasCommand).rejects(notFound());

    // WHEN version 1 is published
    const response = await handler(createEvent({ PublishedVersion: '1' }));

    // THEN
    expect(response).toEqual({
      PhysicalResourceId: 'orders-api:live',
      Data: { FunctionVersion: '1', AdditionalVersionWeights: [], Reason: expect.stringMatching(/first deploy/) },
    });
  });

  it('treats a not-found error by name, as emulators and bundled SDK copies throw it', async () => {
    // GIVEN an error that is not an instance of the SDK class
    lambdaMock.on(GetAliasCommand).rejects(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));

    // WHEN
    const response = await handler(createEvent({ PublishedVersion: '1' }));

    // THEN
    expect(response.Data).toMatchObject({ FunctionVersion: '1', AdditionalVersionWeights: [] });
  });

  it('sends a new version the initial weight (InitialWeight arrives as a string)', async () => {
    // GIVEN live on 3
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });

    // WHEN 4 is published with InitialWeight '0.1'
    const response = await handler(updateEvent({ PublishedVersion: '4', InitialWeight: '0.1' }));

    // THEN
    expect(response).toEqual({
      PhysicalResourceId: 'orders-api:live',
      Data: {
        FunctionVersion: '3',
        AdditionalVersionWeights: [{ FunctionVersion: '4', FunctionWeight: 0.1 }],
        Reason: expect.stringMatching(/new version 4/),
      },
    });
  });

  it('keeps a new version at initial weight 0 off the alias', async () => {
    // GIVEN live on 3
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });

    // WHEN 4 is published with InitialWeight '0'
    const response = await handler(updateEvent({ PublishedVersion: '4', InitialWeight: '0' }));

    // THEN
    expect(response.Data).toMatchObject({ FunctionVersion: '3', AdditionalVersionWeights: [] });
  });

  it('leaves a rollout in progress untouched when the same version is published again', async () => {
    // GIVEN the CLI has moved candidate 4 to 25%
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.25 } } });

    // WHEN a deploy without a code change publishes 4
    const response = await handler(updateEvent({ PublishedVersion: '4', InitialWeight: '0.1' }));

    // THEN exactly what the alias has now
    expect(response.Data).toMatchObject({
      FunctionVersion: '3',
      AdditionalVersionWeights: [{ FunctionVersion: '4', FunctionWeight: 0.25 }],
    });
  });

  it('changes nothing after a promotion', async () => {
    // GIVEN 4 promoted: live on 4 alone
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '4', RoutingConfig: { AdditionalVersionWeights: {} } });

    // WHEN 4 is published
    const response = await handler(updateEvent({ PublishedVersion: '4' }));

    // THEN
    expect(response.Data).toMatchObject({ FunctionVersion: '4', AdditionalVersionWeights: [] });
  });

  it.each([
    ['without a candidate', {}, []],
    ['with a candidate', { '6': 0.2 }, [{ FunctionVersion: '6', FunctionWeight: 0.2 }]],
  ])('never routes to a version older than stable (%s)', async (_case, weights, expected) => {
    // GIVEN live on 5
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '5', RoutingConfig: { AdditionalVersionWeights: weights } });

    // WHEN 4 is published
    const response = await handler(updateEvent({ PublishedVersion: '4' }));

    // THEN live stays on 5
    expect(response.Data).toMatchObject({ FunctionVersion: '5', AdditionalVersionWeights: expected });
  });

  it('lets a newer version supersede a candidate in flight at no more than the initial weight', async () => {
    // GIVEN candidate 4 at 50% on top of stable 3
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.5 } } });

    // WHEN 5 is published with InitialWeight '0.1'
    const response = await handler(updateEvent({ PublishedVersion: '5', InitialWeight: '0.1' }));

    // THEN 4 is dropped, 5 starts at 10%
    expect(response.Data).toMatchObject({
      FunctionVersion: '3',
      AdditionalVersionWeights: [{ FunctionVersion: '5', FunctionWeight: 0.1 }],
    });
  });

  it('leaves a candidate newer than the published version (published by the CLI) untouched', async () => {
    // GIVEN the CLI published 5 and rolls it out at 30% on top of stable 3
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '5': 0.3 } } });

    // WHEN this deploy publishes 4
    const response = await handler(updateEvent({ PublishedVersion: '4' }));

    // THEN
    expect(response.Data).toMatchObject({
      FunctionVersion: '3',
      AdditionalVersionWeights: [{ FunctionVersion: '5', FunctionWeight: 0.3 }],
    });
  });

  it('on Delete calls nothing and answers with the same physical id', async () => {
    // GIVEN any alias state
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });

    // WHEN the resource is deleted
    const response = await handler(deleteEvent());

    // THEN
    expect(lambdaMock).not.toHaveReceivedAnyCommand();
    expect(response).toEqual({ PhysicalResourceId: 'orders-api:live' });
  });

  it('fails the deploy on a generic error instead of planning from nothing', async () => {
    // GIVEN GetAlias fails for a reason other than a missing alias
    const error = new Error('socket hang up');
    lambdaMock.on(GetAliasCommand).rejects(error);

    // WHEN / THEN
    await expect(handler(createEvent())).rejects.toThrow(error.message);
    expect(lambdaMock).toHaveReceivedCommandTimes(GetAliasCommand, 1);
  });

  describe('AccessDenied (IAM still applying a new grant)', () => {
    const denied = () => Object.assign(new Error('not authorized to perform: lambda:GetAlias'), { name: 'AccessDeniedException' });
    beforeEach(() => {
      jest.useFakeTimers();
      jest.spyOn(console, 'log').mockImplementation(() => undefined);
    });
    afterEach(() => {
      jest.useRealTimers();
      jest.restoreAllMocks();
    });

    it('retries with growing waits and plans once the grant applies', async () => {
      // GIVEN two AccessDenied answers, then the alias
      lambdaMock.on(GetAliasCommand).rejectsOnce(denied()).rejectsOnce(denied()).resolves({ FunctionVersion: '3' });
      // WHEN
      const response = handler(createEvent({ PublishedVersion: '4', InitialWeight: '0.1' }));
      await jest.advanceTimersByTimeAsync(2000 + 4000);
      // THEN
      await expect(response).resolves.toMatchObject({
        Data: { FunctionVersion: '3', AdditionalVersionWeights: [{ FunctionVersion: '4', FunctionWeight: 0.1 }] },
      });
      expect(lambdaMock).toHaveReceivedCommandTimes(GetAliasCommand, 3);
    });

    it('fails the deploy when access stays denied after the retries', async () => {
      lambdaMock.on(GetAliasCommand).rejects(denied());
      const response = handler(createEvent());
      const settled = expect(response).rejects.toThrow(/not authorized to perform: lambda:GetAlias/);
      await jest.advanceTimersByTimeAsync(2000 + 4000 + 8000);
      await settled;
      expect(lambdaMock).toHaveReceivedCommandTimes(GetAliasCommand, 4);
    });
  });

  it('fails the deploy when GetAlias returns no FunctionVersion', async () => {
    // GIVEN a malformed answer
    lambdaMock.on(GetAliasCommand).resolves({});

    // WHEN / THEN
    await expect(handler(createEvent())).rejects.toThrow(/GetAlias for orders-api:live returned no FunctionVersion/);
  });

  it.each([
    ['published version $LATEST', { PublishedVersion: '$LATEST' }, /published version must be a version number, got: \$LATEST/],
    ['initial weight 1.5', { InitialWeight: '1.5' }, /initial weight must be between 0 and 1, got: 1.5/],
    ['a non-numeric initial weight', { InitialWeight: 'ten percent' }, /initial weight must be between 0 and 1, got: NaN/],
  ])('fails the deploy on %s', async (_case, overrides, message) => {
    // GIVEN live on 3
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });

    // WHEN / THEN
    await expect(handler(createEvent(overrides))).rejects.toThrow(message);
  });
});

describe('updates read the previous deploy from OldResourceProperties', () => {
  it('a stack rollback (old published 5, new 4) takes 5 off the alias', async () => {
    // GIVEN the alias as the failed deploy left it
    lambdaMock.reset();
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '5': 0.1 } } });
    // WHEN CloudFormation sends the rollback update
    const response = await handler({
      RequestType: 'Update',
      ServiceToken: 'token',
      ResponseURL: 'https://example.com',
      StackId: 'stack',
      RequestId: 'req',
      LogicalResourceId: 'State',
      ResourceType: 'Custom::FaasLiveAliasState',
      PhysicalResourceId: 'fn:live',
      ResourceProperties: { ServiceToken: 'token', FunctionName: 'fn', AliasName: 'live', PublishedVersion: '4', InitialWeight: '0.1' },
      OldResourceProperties: { ServiceToken: 'token', FunctionName: 'fn', AliasName: 'live', PublishedVersion: '5', InitialWeight: '0.1' },
    });
    // THEN the alias declares stable 3 only
    expect(response.Data).toMatchObject({ FunctionVersion: '3', AdditionalVersionWeights: [] });
  });
});

describe('a deploy that changes warm capacity during a rollout is refused', () => {
  const WARM_A = JSON.stringify({ provisioned: 2, max: 10, utilizationTarget: 0.7, schedules: [] });
  const WARM_B = JSON.stringify({ provisioned: 4, max: 10, utilizationTarget: 0.7, schedules: [] });

  /** The physical id a successful deploy with `warm` answered with. */
  async function appliedId(warm: string | undefined): Promise<string> {
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });
    const id = (await handler(createEvent({ PublishedVersion: '3', ...(warm ? { WarmCapacity: warm } : {}) }))).PhysicalResourceId;
    lambdaMock.reset();
    return id;
  }

  /** An update from `before` to `after` warm capacity, same published version (only warm changed). */
  function warmUpdate(physicalId: string, before: string | undefined, after: string | undefined): CloudFormationCustomResourceUpdateEvent {
    return {
      ...common(properties({ PublishedVersion: '4', ...(after ? { WarmCapacity: after } : {}) })),
      RequestType: 'Update',
      PhysicalResourceId: physicalId,
      OldResourceProperties: properties({ PublishedVersion: '4', ...(before ? { WarmCapacity: before } : {}) }),
    };
  }

  it('carries the applied warm capacity in the physical id (only with warm capacity declared)', async () => {
    expect(await appliedId(WARM_A)).toMatch(/^orders-api:live:warm-[0-9a-f]{12}$/);
    expect(await appliedId(undefined)).toBe('orders-api:live');
  });

  it('refuses a warm change while live has weights, naming the rollout and what to do', async () => {
    // GIVEN warm A applied, and a rollout at 20 %
    const id = await appliedId(WARM_A);
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.2 } } });

    // WHEN a deploy changes warm to B
    const deploy = handler(warmUpdate(id, WARM_A, WARM_B));

    // THEN
    const refusal = new RegExp(
      /refusing to change the warm capacity of orders-api:live while a rollout is in progress \(live → 3 with 4 at 20%\): /.source +
        /Lambda refuses provisioned concurrency changes on an alias with weights.*/.source +
        /Finish the rollout first \(`faas resume`, `faas promote` or `faas rollback`\), then deploy again; this deploy changed nothing/
          .source,
    );
    await expect(deploy).rejects.toThrow(refusal);
  });

  it("lets CloudFormation's rollback of that refused update through (old and new swapped, same physical id)", async () => {
    const id = await appliedId(WARM_A);
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.2 } } });
    const response = await handler(warmUpdate(id, WARM_B, WARM_A));
    expect(response.PhysicalResourceId).toBe(id);
    expect(response.Data).toMatchObject({
      FunctionVersion: '3',
      AdditionalVersionWeights: [{ FunctionVersion: '4', FunctionWeight: 0.2 }],
    });
  });

  it('refuses removing warm capacity during a rollout too', async () => {
    const id = await appliedId(WARM_A);
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.2 } } });
    await expect(handler(warmUpdate(id, WARM_A, undefined))).rejects.toThrow(/refusing to change the warm capacity/);
  });

  it('refuses when this deploy itself would put weights on live (a new version with an initial weight)', async () => {
    const id = await appliedId(WARM_A);
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });
    const event = warmUpdate(id, WARM_A, WARM_B);
    const deploy = handler({ ...event, ResourceProperties: { ...event.ResourceProperties, PublishedVersion: '5', InitialWeight: '0.1' } });
    await expect(deploy).rejects.toThrow(/\(live → 3 with 5 at 10%\)/);
  });

  it.each<[string, Record<string, number> | undefined, string | undefined, string | undefined]>([
    ['a warm change with no rollout in progress', undefined, WARM_A, WARM_B],
    ['an unchanged warm capacity during a rollout', { '4': 0.2 }, WARM_A, WARM_A],
  ])('goes ahead with %s, answering the new fingerprint', async (_case, weights, before, after) => {
    const id = await appliedId(before);
    lambdaMock
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '3', ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}) });
    const response = await handler(warmUpdate(id, before, after));
    expect(response.PhysicalResourceId).toBe(await appliedIdAfter(after));
  });

  it('never refuses a stack rollback (the published version goes down)', async () => {
    const id = await appliedId(WARM_A);
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '4', RoutingConfig: { AdditionalVersionWeights: { '5': 0.1 } } });
    const event = warmUpdate(id, WARM_A, WARM_B);
    const rollback = { ...event, OldResourceProperties: { ...event.OldResourceProperties, PublishedVersion: '5' } };
    await expect(handler(rollback)).resolves.toMatchObject({ Data: { FunctionVersion: '4' } });
  });

  it('lets a resource deployed before ids carried the fingerprint through (what was applied is unknown)', async () => {
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: { '4': 0.2 } } });
    await expect(handler(warmUpdate('orders-api:live', undefined, WARM_A))).resolves.toMatchObject({
      PhysicalResourceId: expect.stringMatching(/:warm-/),
    });
  });

  /** The id for `warm` without disturbing the mocks of the test. */
  async function appliedIdAfter(warm: string | undefined): Promise<string> {
    const { statePhysicalId } = await import('../../lib/release/warm-guard');
    const { createHash } = await import('node:crypto');
    return statePhysicalId('orders-api', 'live', warm ? createHash('sha256').update(warm).digest('hex').slice(0, 12) : undefined);
  }
});
