/**
 * The base stack (`<app>-<stage>`): what every function stack shares, exported under fixed
 * names so no function stack's change can ever remove an export another one imports — the
 * REST API (ids only) — and the index the `faas` CLI starts from: which stacks hold functions.
 */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FUNCTION_STACKS_OUTPUT } from '../contract';
import { PlatformRestApi, type RestApiAttributes } from '../constructs/rest-api';

export interface BaseStackProps extends StackProps {
  /** e.g. "faas-dev". */
  readonly namePrefix: string;
  /** Names of the function stacks, in number order (the CLI reads them from the FunctionStacks output). */
  readonly functionStacks: readonly string[];
}

/** Output key the `faas` CLI reads: comma-separated function stack names. */

export class BaseStack extends Stack {
  readonly restApi: PlatformRestApi;
  /** The REST API ids as a function stack sees them: imports of this stack's exports. */
  readonly imported: RestApiAttributes;

  constructor(scope: Construct, id: string, props: BaseStackProps) {
    super(scope, id, props);
    // The API exists even before a route is declared (no cost): its id must not change later.
    this.restApi = new PlatformRestApi(this, 'Http', { restApiName: props.namePrefix });
    const exported = (key: keyof RestApiAttributes, suffix: string): string => {
      const name = `${props.namePrefix}-${suffix}`;
      new CfnOutput(this, `Export-${suffix}`, { value: this.restApi.attributes[key], exportName: name });
      return Fn.importValue(name);
    };
    this.imported = {
      restApiId: exported('restApiId', 'api-id'),
      rootResourceId: exported('rootResourceId', 'api-root'),
      previewResourceId: exported('previewResourceId', 'api-preview'),
      requestValidatorId: exported('requestValidatorId', 'api-validator'),
    };
    new CfnOutput(this, FUNCTION_STACKS_OUTPUT, {
      description: 'Stacks holding the declared functions (faas.placement.json); the faas CLI reads their outputs',
      value: props.functionStacks.join(','),
    });
  }
}
