/**
 * The `live` alias and how new versions reach it.
 *
 * - alias mode: the alias declares what LiveAliasState planned from the alias's current state,
 *   so a deploy gives a new version at most its initial weight and never undoes what the
 *   `faas` CLI did (rollout in progress, promotion, rollback).
 * - codedeploy mode: the alias follows the published version and CodeDeploy shifts traffic
 *   with the declared configuration, rolling back when a release alarm fires.
 */
import { Validations } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LIVE_ALIAS } from '../contract';
import { LiveAliasState } from './live-alias-state';

/** How new versions reach the live alias. */
export interface LiveReleaseOptions {
  /**
   * Hand traffic shifting to CodeDeploy with this configuration (codedeploy mode).
   * @default - alias mode: the `faas` CLI shifts weights; a deploy gives a new version `initialWeight`
   */
  readonly deploymentConfig?: codedeploy.ILambdaDeploymentConfig;
  /**
   * Share of live traffic, 0-1, a deploy sends to a new version (alias mode only).
   * @default 0 - all traffic stays on the stable version
   */
  readonly initialWeight?: number;
}

export interface LiveReleaseProps {
  readonly function: lambda.IFunction;
  /** The version this deploy publishes (the function's currentVersion). */
  readonly published: lambda.IVersion;
  readonly release: LiveReleaseOptions;
}

export class LiveRelease extends Construct {
  readonly alias: lambda.Alias;
  /** Set in alias mode. */
  readonly state?: LiveAliasState;
  /** Set in codedeploy mode, after `watch()`. */
  deploymentGroup?: codedeploy.LambdaDeploymentGroup;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: LiveReleaseProps,
  ) {
    super(scope, id);
    if (props.release.deploymentConfig) {
      this.alias = new lambda.Alias(this, 'Alias', { aliasName: LIVE_ALIAS, version: props.published });
      return;
    }
    this.state = new LiveAliasState(this, 'State', {
      function: props.function,
      published: props.published,
      aliasName: LIVE_ALIAS,
      initialWeight: props.release.initialWeight ?? 0,
    });
    const planned = lambda.Version.fromVersionAttributes(this, 'PlannedVersion', {
      lambda: props.function,
      version: this.state.functionVersion,
    });
    this.alias = new lambda.Alias(this, 'Alias', { aliasName: LIVE_ALIAS, version: planned });
    // Weights are decided at deploy time, so they cannot go through Alias.additionalVersions.
    // Invariant: every alias property is either constant or an answer of the state resource,
    // so CloudFormation updates the alias only after re-reading it — never with stale weights.
    const cfnAlias = this.alias.node.defaultChild as lambda.CfnAlias;
    cfnAlias.addPropertyOverride('RoutingConfig.AdditionalVersionWeights', this.state.additionalVersionWeights);
  }

  /** In codedeploy mode, hand the shift to CodeDeploy, watched by these alarms. No-op in alias mode. */
  watch(alarms: cloudwatch.IAlarm[]): void {
    const deploymentConfig = this.props.release.deploymentConfig;
    if (!deploymentConfig) return;
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'Deployment', {
      alias: this.alias,
      deploymentConfig,
      alarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    Validations.of(this.deploymentGroup).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason: "CodeDeploy's documented service-role policy for Lambda, limited to shifting aliases and invoking hooks.",
    });
  }
}
