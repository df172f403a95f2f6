/**
 * What a harness deploy leaves for the tests: where the emulator is and what the stack output,
 * in <root>/.emulator/deployment.json (global setup writes it; tests run in other module
 * registries and read it from disk).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LambdaClient, ListFunctionsCommand, ListTagsCommand } from '@aws-sdk/client-lambda';
import { apiBaseUrl } from './data-plane';
import { REGION, emulatorDir, type EmulatorKind } from './emulator';
import type { StackOutputs } from './deploy';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Deployment {
  readonly endpoint: string;
  readonly kind: EmulatorKind;
  readonly stackName: string;
  readonly stage: string;
  readonly outputs: StackOutputs;
  /** The REST API stage base URL on the emulator's data plane, ending in "/". */
  readonly apiUrl: string;
  readonly deployedAt: string;
}

function deploymentFile(root: string): string {
  return path.join(emulatorDir(root), 'deployment.json');
}

export function recordDeployment(root: string, input: Omit<Deployment, 'apiUrl' | 'deployedAt'>): Deployment {
  const deployment: Deployment = {
    ...input,
    apiUrl: apiBaseUrl(allOutputs(input), input.endpoint),
    deployedAt: new Date().toISOString(),
  };
  fs.writeFileSync(deploymentFile(root), `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

/**
 * The outputs of every stack of the deployment merged (base, function stacks, API stage):
 * output keys are unique across them (Function<name>, Routes<name>, FaasIndex<name>, ApiEndpoint…).
 */
export function allOutputs(deployment: Pick<Deployment, 'outputs' | 'stackName'>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [stack, outputs] of Object.entries(deployment.outputs)) {
    if (stack === deployment.stackName || stack.startsWith(`${deployment.stackName}-`)) Object.assign(merged, outputs);
  }
  return merged;
}

export function readDeployment(root = PROJECT_ROOT): Deployment {
  const file = deploymentFile(root);
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: run the tests through jest --selectProjects integration (its global setup deploys)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Deployment;
}

export function lambdaClient(deployment: Pick<Deployment, 'endpoint'>): LambdaClient {
  return new LambdaClient({
    endpoint: deployment.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/**
 * Physical name of a declared function, found by the tags the platform puts on it
 * (`faas:function`) and CloudFormation's stack tag (one of the deployment's stacks:
 * `<app>-<stage>-functions-<n>`), as an operator's tooling would.
 */
export async function functionNameOf(client: LambdaClient, stackName: string, declaredName: string): Promise<string> {
  const found: string[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new ListFunctionsCommand({ Marker: marker }));
    for (const fn of page.Functions ?? []) {
      const { Tags: tags = {} } = await client.send(new ListTagsCommand({ Resource: fn.FunctionArn }));
      if (tags['faas:function'] === declaredName && (tags['aws:cloudformation:stack-name'] ?? '').startsWith(`${stackName}-functions-`))
        found.push(fn.FunctionName!);
    }
    marker = page.NextMarker;
  } while (marker);
  if (found.length !== 1)
    throw new Error(
      `expected one function tagged faas:function=${declaredName} in the function stacks of ${stackName}, ` +
        `found ${found.length}: ${found.join(', ')}`,
    );
  return found[0];
}
