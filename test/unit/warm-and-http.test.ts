import { Annotations, Match } from 'aws-cdk-lib/assertions';
import faasConfig from '../../faas.config';
import { build, declaration, hello } from './support/platform-fixture';

const warm = {
  provisioned: 2,
  max: 10,
  utilizationTarget: 0.6,
  schedules: [{ name: 'morning', expression: 'cron(0 7 ? * MON-FRI *)', minProvisioned: 5, maxProvisioned: 20 }],
};

describe('warm capacity', () => {
  test('provisioned concurrency on the live alias with a utilization target and a schedule', () => {
    // GIVEN a function with warm capacity
    const { template } = build(declaration({ hello: hello({ warm }) }));

    // THEN the scalable target is the live alias, from provisioned to max
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'lambda',
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ResourceId: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['function:', Match.stringLikeRegexp(':live$')])] }),
      MinCapacity: 2,
      MaxCapacity: 10,
      // AND the schedule raises the floor on weekday mornings
      ScheduledActions: [
        { ScheduledActionName: 'morning', Schedule: 'cron(0 7 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 5, MaxCapacity: 20 } },
      ],
    });
    // AND a target-tracking policy on provisioned concurrency utilization
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 0.6,
        PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
      },
    });
    // AND the alias itself carries no provisioned concurrency (Lambda refuses PC changes while weights are set)
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: Match.absent() });
  });

  test("the declared warm capacity is a property of the live alias's state resource, which the scalable target waits for", () => {
    // GIVEN
    const { template } = build(declaration({ hello: hello({ warm }) }));

    // THEN a change of `warm` calls the deploy-time handler (which refuses it while the alias has weights)
    template.hasResourceProperties('Custom::FaasLiveAliasState', {
      WarmCapacity: JSON.stringify({
        provisioned: 2,
        max: 10,
        utilizationTarget: 0.6,
        schedules: [{ name: 'morning', expression: 'cron(0 7 ? * MON-FRI *)', min: 5, max: 20 }],
      }),
    });
    // AND CloudFormation updates the scalable target only after the handler answered
    const [stateId] = Object.keys(template.findResources('Custom::FaasLiveAliasState'));
    const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
    expect(targets).toHaveLength(1);
    expect(targets[0].DependsOn).toEqual(expect.arrayContaining([stateId]));
  });

  test('without warm capacity the state resource has no WarmCapacity property (its template is as before)', () => {
    const { template } = build(declaration({ hello: hello({}) }));
    template.hasResourceProperties('Custom::FaasLiveAliasState', { WarmCapacity: Match.absent() });
  });

  test('warm capacity follows the stage: prod has it, dev does not', () => {
    build(faasConfig, { stage: 'prod' }).template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 1);
    build(faasConfig, { stage: 'dev' }).template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  test('reserved concurrency is set on the function', () => {
    const { template } = build(declaration({ hello: hello({ reservedConcurrency: 25 }) }));
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 25 });
  });

  test('instance concurrency maps to a Lambda Managed Instances capacity provider', () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:capacity-provider:shared';
    const { template } = build(declaration({ hello: hello({ instances: { capacityProviderArn: arn, perInstanceConcurrency: 8 } }) }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      CapacityProviderConfig: {
        LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: arn, PerExecutionEnvironmentMaxConcurrency: 8 },
      },
    });
  });
});

describe('http routes', () => {
  /** The alias (by Name) whose ARN an integration URI or permission references, if any. */
  const aliasNameOf = (resources: Record<string, { Type: string; Properties: { Name?: string } }>, value: unknown): string | undefined => {
    const ref =
      JSON.stringify(value)
        .match(/"Ref":"([A-Za-z0-9]+)"/g)
        ?.map((r) => r.slice(7, -1)) ?? [];
    const alias = ref.map((id) => resources[id]).find((r) => r?.Type === 'AWS::Lambda::Alias');
    return alias?.Properties.Name;
  };

  test('every API integration targets an alias ARN: live for routes, preview under /preview', () => {
    const { template, baseTemplate } = build(
      declaration({
        hello: hello({
          routes: [
            { method: 'GET', path: '/hello' },
            { method: 'POST', path: '/hello/{id}' },
          ],
        }),
      }),
    );
    const resources = template.toJSON().Resources;
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(4);
    // never $LATEST or the unqualified function: each URI references the ARN of an alias
    const targets = methods.map((m) => aliasNameOf(resources, (m.Properties as { Integration: { Uri: unknown } }).Integration.Uri));
    expect(targets.sort()).toEqual(['live', 'live', 'preview', 'preview']);
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', Integration: { Type: 'AWS_PROXY' } });
    // /preview itself is the base stack's; the route's twin hangs under it by the exported id
    baseTemplate.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'preview' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: 'hello',
      ParentId: { 'Fn::ImportValue': 'test-dev-api-preview' },
    });
    // AND API Gateway may invoke only the aliases
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    expect(permissions.map((p) => aliasNameOf(resources, (p.Properties as { FunctionName: unknown }).FunctionName)).sort()).toEqual([
      'live',
      'live',
      'preview',
      'preview',
    ]);
  });

  test('the stage throttles, writes JSON access logs, and traces', () => {
    const { apiTemplate } = build(declaration({ hello: hello() }, { api: { throttleRateLimit: 30, throttleBurstLimit: 60 } }));
    apiTemplate!.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 30, ThrottlingBurstLimit: 60, MetricsEnabled: true, LoggingLevel: 'ERROR' }),
      ],
    });
  });

  test('route URLs and the API URL are stack outputs', () => {
    const { template, apiTemplate } = build(declaration({ hello: hello() }));
    template.hasOutput('Routeshello', { Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['GET https://'])] }) });
    // AND ApiEndpoint holds the stage URL; HttpApiEndpoint, its deprecated old name, the same value
    apiTemplate!.hasOutput('ApiEndpoint', { Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['https://'])] }) });
    const outputs = apiTemplate!.findOutputs('*');
    expect(outputs.HttpApiEndpoint.Value).toEqual(outputs.ApiEndpoint.Value);
  });

  test('each function has one FaasIndex output, JSON the faas CLI reads', () => {
    const { template } = build(
      declaration({ 'orders-api': hello({ entry: 'functions/hello/index.ts', routes: [{ method: 'GET', path: '/orders' }] }) }),
    );
    // CDK drops the "-" from the key; the declared name is in the value
    const { Value } = template.findOutputs('FaasIndexordersapi').FaasIndexordersapi as { Value: { 'Fn::Join': [string, unknown[]] } };
    const [head, functionRef, tail] = Value['Fn::Join'][1];
    expect(head).toBe('{"name":"orders-api","kind":"function","functionName":"');
    expect(functionRef).toEqual({ Ref: expect.stringMatching(/^Fnordersapi/) });
    expect(JSON.parse(`{"functionName":"x${tail as string}`)).toEqual({
      functionName: 'x',
      alarms: ['test-dev-orders-api-live-errors', 'test-dev-orders-api-live-throttles', 'test-dev-orders-api-live-p99-duration'],
      routes: ['GET /orders'],
    });
  });

  test('routes that would push a FaasIndex output past its bound are left to the Routes output', () => {
    // GIVEN routes whose "METHOD /path" list alone passes 4096 bytes
    const routes = Array.from({ length: 40 }, (_, i) => ({ method: 'GET' as const, path: `/${'r'.repeat(100)}${i}` }));
    const { template } = build(declaration({ hello: hello({ routes }) }));
    // THEN the index names the output that lists them
    const { Value } = template.findOutputs('FaasIndexhello').FaasIndexhello as { Value: { 'Fn::Join': [string, unknown[]] } };
    expect(Value['Fn::Join'][1].at(-1)).toMatch(/"routes":\[\],"routesOutput":"Routeshello"\}$/);
    template.hasOutput('Routeshello', Match.anyValue());
  });

  test('functions without routes get no methods and no stage', () => {
    const { template, apiStack, base } = build(declaration({ worker: { entry: 'functions/hello/index.ts' } }));
    template.resourceCountIs('AWS::ApiGateway::Method', 0);
    expect(apiStack).toBeUndefined();
    // a stage deployed earlier would keep serving: the synth says so
    Annotations.fromStack(base).hasWarning(
      '*',
      Match.stringLikeRegexp('no function declares a route, so test-dev-api .* keeps serving its last routes'),
    );
  });
});
