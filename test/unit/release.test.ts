import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import { handler as liveAliasState } from '../../lib/release/live-alias-state-handler';
import { build, declaration, hello, logicalIds } from './support/platform-fixture';
import { buildFunctions } from './support/function-fixture';

const lambdaMock = mockClient(LambdaClient);
beforeEach(() => lambdaMock.reset());

describe('live alias (alias mode)', () => {
  test('the alias takes its version and weights from the deploy-time state of the live alias', () => {
    // GIVEN a function with a 10% initial canary weight
    const { template } = buildFunctions(declaration({ hello: hello({ release: { initialWeight: 0.1 } }) }));

    // THEN the state resource reads the live alias and gets the published version and the weight
    const [state] = logicalIds(template, 'Custom::FaasLiveAliasState');
    const [version] = logicalIds(template, 'AWS::Lambda::Version');
    template.hasResourceProperties('Custom::FaasLiveAliasState', {
      AliasName: 'live',
      PublishedVersion: { 'Fn::GetAtt': [version, 'Version'] },
      InitialWeight: '0.1',
    });
    // AND the live alias declares exactly what the state planned
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionVersion: { 'Fn::GetAtt': [state, 'FunctionVersion'] },
      RoutingConfig: { AdditionalVersionWeights: { 'Fn::GetAtt': [state, 'AdditionalVersionWeights'] } },
    });
    // AND the alias never carries provisioned concurrency (it would fail while weights are set)
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: Match.absent() });
  });

  test('deploying a new version gives the alias two versions with the declared weight', async () => {
    // GIVEN the synthesized state resource and live alias
    const { template } = buildFunctions(declaration({ hello: hello({ release: { initialWeight: 0.1 } }) }));
    const [stateId] = logicalIds(template, 'Custom::FaasLiveAliasState');
    const stateProps = template.toJSON().Resources[stateId].Properties as Record<string, unknown>;
    // AND the deployed alias currently serves version 3 only
    lambdaMock.on(GetAliasCommand).resolves({ FunctionVersion: '3' });

    // WHEN CloudFormation runs the state resource for a deploy that published version 4
    const event = {
      RequestType: 'Create',
      ResourceType: 'Custom::FaasLiveAliasState',
      ResourceProperties: { ...stateProps, ServiceToken: 'token', FunctionName: 'fn', PublishedVersion: '4' },
    } as unknown as CloudFormationCustomResourceCreateEvent;
    const response = await liveAliasState(event);
    const alias = resolveAlias(template.toJSON().Resources, stateId, response.Data ?? {});

    // THEN live keeps version 3 and sends 10% to version 4
    expect(alias).toEqual({
      Name: 'live',
      FunctionVersion: '3',
      RoutingConfig: { AdditionalVersionWeights: [{ FunctionVersion: '4', FunctionWeight: 0.1 }] },
    });
  });

  test('the state handler may read only the live alias of its function', () => {
    const { template } = buildFunctions(declaration({ hello: hello() }));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:GetAlias',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FnhelloFunction'), 'Arn'] }, ':live']] },
          }),
        ]),
      },
    });
  });

  test('one state provider serves every function of the stack', () => {
    const { template } = buildFunctions(declaration({ hello: hello(), other: hello({ entry: 'functions/hello/index.ts', routes: [] }) }));
    expect(logicalIds(template, 'Custom::FaasLiveAliasState')).toHaveLength(2);
    // 2 platform functions + the state handler + the provider framework
    template.resourceCountIs('AWS::Lambda::Function', 4);
  });

  test('a preview alias points at the newest published version', () => {
    const { template } = buildFunctions(declaration({ hello: hello() }));
    const [version] = logicalIds(template, 'AWS::Lambda::Version');
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'preview',
      FunctionVersion: { 'Fn::GetAtt': [version, 'Version'] },
    });
  });

  test('old versions are retained so a rollback can point the alias back at them', () => {
    const { template } = buildFunctions(declaration({ hello: hello() }));
    template.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('a configuration change publishes a new version; an unchanged declaration does not', () => {
    const versionOf = (memoryMB: number) =>
      logicalIds(buildFunctions.fresh(declaration({ hello: hello({ memoryMB }) })).template, 'AWS::Lambda::Version')[0];
    expect(versionOf(256)).toEqual(versionOf(256));
    expect(versionOf(512)).not.toEqual(versionOf(256));
  });
});

describe('live alias (codedeploy mode)', () => {
  test('CodeDeploy shifts the live alias with the declared config and rolls back on the release alarms', () => {
    // GIVEN a function released by CodeDeploy, linear 10% every minute
    const { template } = buildFunctions(
      declaration({ hello: hello({ release: { mode: 'codedeploy', deploymentConfig: 'linear-10-1m' } }) }),
    );

    // THEN there is no deploy-time state resource: CodeDeploy owns the shift
    template.resourceCountIs('Custom::FaasLiveAliasState', 0);
    // AND a deployment group with the config, both release alarms and automatic rollback
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      AlarmConfiguration: {
        Enabled: true,
        Alarms: [{ Name: { Ref: Match.stringLikeRegexp('AlarmsErrors') } }, { Name: { Ref: Match.stringLikeRegexp('AlarmsP99Duration') } }],
      },
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
      },
    });
    // AND the live alias is updated through CodeDeploy, not replaced in place
    template.hasResource('AWS::Lambda::Alias', {
      Properties: { Name: 'live' },
      UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ DeploymentGroupName: Match.anyValue() }) },
    });
  });
});

describe('per-alias alarms', () => {
  test('errors, throttles and p99 duration alarms watch the live alias and carry stable names', () => {
    const { template } = build(declaration({ hello: hello({ timeoutSeconds: 5, alarms: { errors: 3 } }) }));
    const onLive = Match.arrayWith([{ Name: 'Resource', Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-hello-live-errors',
      MetricName: 'Errors',
      Threshold: 3,
      Dimensions: onLive,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-hello-live-throttles',
      MetricName: 'Throttles',
      Dimensions: onLive,
    });
    // p99 defaults to 80% of the timeout
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-dev-hello-live-p99-duration',
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 4000,
      Dimensions: onLive,
    });
    template.hasOutput('Alarmshello', {
      Value: 'test-dev-hello-live-errors,test-dev-hello-live-throttles,test-dev-hello-live-p99-duration',
    });
  });
});

/** Substitutes the state resource's answer into the live alias, as CloudFormation does. */
function resolveAlias(
  resources: Record<string, { Type: string; Properties: Record<string, unknown> }>,
  stateId: string,
  data: object,
): unknown {
  const live = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Alias' && r.Properties.Name === 'live');
  const substitute = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(substitute);
    if (value && typeof value === 'object') {
      const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt && getAtt[0] === stateId) return (data as Record<string, unknown>)[getAtt[1]];
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
    }
    return value;
  };
  const { FunctionName: _ignored, ...rest } = live!.Properties;
  return substitute(rest);
}

describe('no stale alias writes', () => {
  test('every property of the live alias is constant or comes from the state resource', () => {
    // A property set from elsewhere could make CloudFormation rewrite the alias with the
    // weights of an earlier deploy, undoing what the CLI did since.
    const { template } = buildFunctions(declaration({ hello: hello() }));
    const [stateId] = logicalIds(template, 'Custom::FaasLiveAliasState');
    const [live] = Object.values(template.findResources('AWS::Lambda::Alias', { Properties: { Name: 'live' } }));
    const stateProps = template.toJSON().Resources[stateId].Properties as Record<string, unknown>;
    const props = live.Properties as Record<string, unknown>;
    expect(Object.keys(props).sort()).toEqual(['FunctionName', 'FunctionVersion', 'Name', 'RoutingConfig']);
    expect(props.FunctionName).toEqual(stateProps.FunctionName);
    expect(props.FunctionVersion).toEqual({ 'Fn::GetAtt': [stateId, 'FunctionVersion'] });
    expect(props.RoutingConfig).toEqual({ AdditionalVersionWeights: { 'Fn::GetAtt': [stateId, 'AdditionalVersionWeights'] } });
  });
});
