/**
 * Declared names → deployed resources, from what the stacks publish (lib/stacks/): the base
 * stack `<app>-<stage>` lists the function stacks in its FunctionStacks output, and each function
 * stack has one FaasIndex output per function placement put there (lib/contract.ts).
 * A base stack without that output is a single-stack deployment holding the index itself.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { FUNCTION_STACKS_OUTPUT, INDEX_OUTPUT_PREFIX, type FunctionIndexEntry } from '../../lib/contract';
import { InputError } from '../engine/input-error';
import { awsFailure } from './failures';

export interface DeployedFunction {
  /** The declared name, as in faas.config.ts. */
  readonly name: string;
  readonly functionName: string;
  readonly alarms: readonly string[];
  readonly dlqUrl?: string;
  /** The stack that holds it. */
  readonly stackName: string;
}

interface StackView {
  readonly name: string;
  readonly status: string;
  readonly outputs: Record<string, string>;
  /** Declared name → what the stack publishes about it. */
  readonly index: ReadonlyMap<string, FunctionIndexEntry>;
}

const REDEPLOY = 'deploy again (npm run deploy -- -c stage=<stage>) with this faas-platform, so its stacks publish the index';

/** The FaasIndex outputs of a stack, checked just enough that a wrong value fails here and not later. */
function readIndex(stackName: string, outputs: Record<string, string>): Map<string, FunctionIndexEntry> {
  const index = new Map<string, FunctionIndexEntry>();
  for (const [key, value] of Object.entries(outputs)) {
    if (!key.startsWith(INDEX_OUTPUT_PREFIX)) continue;
    let entry: Partial<FunctionIndexEntry> | undefined;
    try {
      entry = JSON.parse(value) as Partial<FunctionIndexEntry>;
    } catch {
      entry = undefined;
    }
    if (typeof entry?.name !== 'string' || typeof entry.functionName !== 'string' || !Array.isArray(entry.alarms)) {
      throw new InputError(
        `output ${key} of stack ${stackName} is not a ${INDEX_OUTPUT_PREFIX} entry (name, functionName, alarms): ${value.slice(0, 200)}`,
        REDEPLOY,
      );
    }
    index.set(entry.name, entry as FunctionIndexEntry);
  }
  return index;
}

export class StackAdapter {
  private stacks?: Promise<StackView[]>;
  /** Listed function stacks that do not exist (yet): the base stack deploys first. */
  private missing: string[] = [];

  constructor(
    private readonly client: CloudFormationClient,
    readonly stackName: string,
  ) {}

  private load(): Promise<StackView[]> {
    this.stacks ??= (async () => {
      const base = await this.describe(this.stackName);
      const names = (base.outputs[FUNCTION_STACKS_OUTPUT] ?? '').split(',').filter((n) => n !== '');
      if (names.length === 0) return [base];
      const found = await Promise.all(
        names.map((n) => this.describe(n).catch((error: unknown) => (error instanceof InputError ? undefined : Promise.reject(error)))),
      );
      this.missing = names.filter((_, i) => found[i] === undefined);
      return found.filter((s): s is StackView => s !== undefined);
    })();
    return this.stacks;
  }

  private async describe(stackName: string): Promise<StackView> {
    try {
      const answer = await this.client.send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = answer.Stacks?.[0];
      const outputs: Record<string, string> = Object.fromEntries(
        (stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
      );
      return { name: stackName, status: stack?.StackStatus ?? '', outputs, index: readIndex(stackName, outputs) };
    } catch (error) {
      const message = (error as Error).message ?? '';
      if ((error as Error).name === 'ValidationError' && /does not exist/.test(message)) {
        throw new InputError(
          `stack ${stackName} does not exist`,
          'deploy it (npm run deploy -- -c stage=<stage>), or pass the right --stage / --app',
        );
      }
      throw awsFailure(`DescribeStacks ${stackName}`, error);
    }
  }

  /** Declared names of the deployed functions. */
  async functionNames(): Promise<string[]> {
    const stacks = await this.load();
    return stacks.flatMap((s) => [...s.index.keys()]).sort();
  }

  /**
   * Like resolve, for commands that write the alias: refuses while a deploy runs on its stack,
   * because the deploy reads the alias and may write it right after (without a RevisionId).
   */
  async resolveForChange(name: string): Promise<DeployedFunction> {
    const deployed = await this.resolve(name);
    const stack = (await this.load()).find((s) => s.name === deployed.stackName)!;
    if (/_IN_PROGRESS$/.test(stack.status)) {
      throw new InputError(
        `stack ${stack.name} is ${stack.status}: a deploy may rewrite the live alias`,
        'wait for the deploy to finish, then run the command again',
      );
    }
    return deployed;
  }

  async resolve(name: string): Promise<DeployedFunction> {
    const stacks = await this.load();
    const stack = stacks.find((s) => s.index.has(name));
    if (!stack) {
      const known = await this.functionNames();
      const missing =
        this.missing.length > 0
          ? `; listed in ${this.stackName}'s ${FUNCTION_STACKS_OUTPUT} output but not deployed: ${this.missing.join(', ')}`
          : '';
      // Stacks deployed before the index existed have outputs but no index entry.
      const noIndex =
        known.length === 0 && stacks.some((s) => Object.keys(s.outputs).length > 0) ? `; no stack has a ${INDEX_OUTPUT_PREFIX} output` : '';
      const where =
        stacks.length === 1 ? `stack ${stacks[0].name}` : `the stacks of ${this.stackName} (${stacks.map((s) => s.name).join(', ')})`;
      const deployedNames = known.length > 0 ? known.join(', ') : 'none';
      throw new InputError(
        `unknown function "${name}" in ${where} (deployed: ${deployedNames}${missing}${noIndex})`,
        missing
          ? 'finish the deploy (npm run deploy -- -c stage=<stage>) so every function stack exists, or use a deployed name'
          : noIndex
            ? REDEPLOY
            : 'use a name declared in faas.config.ts and deployed to this stage (--stage)',
      );
    }
    const entry = stack.index.get(name)!;
    return {
      name,
      functionName: entry.functionName,
      alarms: entry.alarms,
      stackName: stack.name,
      ...(entry.dlq ? { dlqUrl: entry.dlq } : {}),
    };
  }
}
