/**
 * Declared names → deployed resources, from stack outputs (lib/stacks/): the base stack
 * `<app>-<stage>` lists the function stacks in its FunctionStacks output, and each function
 * stack has Function<name>, Alarms<name>, Dlq<name> for the functions placement put there.
 * A base stack without that output is a single-stack deployment holding the outputs itself.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
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

/** Must match lib/stacks/base-stack.ts. */
const FUNCTION_STACKS_OUTPUT = 'FunctionStacks';

/** CloudFormation logical ids keep letters and digits only: "orders-api" → "ordersapi". */
function outputKey(prefix: string, name: string): string {
  return `${prefix}${name.replace(/[^A-Za-z0-9]/g, '')}`;
}

interface StackView {
  readonly name: string;
  readonly status: string;
  readonly outputs: Record<string, string>;
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
      const found = await Promise.all(names.map((n) => this.describe(n).catch((error: unknown) => (error instanceof InputError ? undefined : Promise.reject(error)))));
      this.missing = names.filter((_, i) => found[i] === undefined);
      return found.filter((s): s is StackView => s !== undefined);
    })();
    return this.stacks;
  }

  private async describe(stackName: string): Promise<StackView> {
    try {
      const answer = await this.client.send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = answer.Stacks?.[0];
      return {
        name: stackName,
        status: stack?.StackStatus ?? '',
        outputs: Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      };
    } catch (error) {
      const message = (error as Error).message ?? '';
      if ((error as Error).name === 'ValidationError' && /does not exist/.test(message)) {
        throw new InputError(`stack ${stackName} does not exist`, 'deploy it (npm run deploy -- -c stage=<stage>), or pass the right --stage / --app');
      }
      throw awsFailure(`DescribeStacks ${stackName}`, error);
    }
  }

  /** Declared names of the deployed functions. */
  async functionNames(): Promise<string[]> {
    const stacks = await this.load();
    // Output keys lose "-"; the declared name is only recoverable when it had none, so report keys.
    return stacks
      .flatMap((s) => Object.keys(s.outputs))
      .filter((k) => k.startsWith('Function') && k !== FUNCTION_STACKS_OUTPUT)
      .map((k) => k.slice('Function'.length))
      .sort();
  }

  /**
   * Like resolve, for commands that write the alias: refuses while a deploy runs on its stack,
   * because the deploy reads the alias and may write it right after (without a RevisionId).
   */
  async resolveForChange(name: string): Promise<DeployedFunction> {
    const deployed = await this.resolve(name);
    const stack = (await this.load()).find((s) => s.name === deployed.stackName)!;
    if (/_IN_PROGRESS$/.test(stack.status)) {
      throw new InputError(`stack ${stack.name} is ${stack.status}: a deploy may rewrite the live alias`, 'wait for the deploy to finish, then run the command again');
    }
    return deployed;
  }

  async resolve(name: string): Promise<DeployedFunction> {
    const stacks = await this.load();
    const stack = stacks.find((s) => s.outputs[outputKey('Function', name)]);
    if (!stack) {
      const known = await this.functionNames();
      const missing = this.missing.length > 0 ? `; listed in ${this.stackName}'s ${FUNCTION_STACKS_OUTPUT} output but not deployed: ${this.missing.join(', ')}` : '';
      throw new InputError(
        `unknown function "${name}" in ${stacks.length === 1 ? `stack ${stacks[0].name}` : `the stacks of ${this.stackName} (${stacks.map((s) => s.name).join(', ')})`} (deployed: ${known.length > 0 ? known.join(', ') : 'none'}${missing})`,
        missing ? 'finish the deploy (npm run deploy -- -c stage=<stage>) so every function stack exists, or use a deployed name' : 'use a name declared in faas.config.ts and deployed to this stage (--stage)',
      );
    }
    const outputs = stack.outputs;
    const alarms = (outputs[outputKey('Alarms', name)] ?? '').split(',').filter((a) => a !== '');
    const dlqUrl = outputs[outputKey('Dlq', name)];
    return { name, functionName: outputs[outputKey('Function', name)], alarms, stackName: stack.name, ...(dlqUrl ? { dlqUrl } : {}) };
  }
}
