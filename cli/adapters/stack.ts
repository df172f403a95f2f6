/**
 * Declared names → deployed resources, from the outputs of the stack `<app>-<stage>`
 * (lib/stacks/platform-stack.ts): Function<name>, Alarms<name>, Dlq<name>.
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
}

/** CloudFormation logical ids keep letters and digits only: "orders-api" → "ordersapi". */
function outputKey(prefix: string, name: string): string {
  return `${prefix}${name.replace(/[^A-Za-z0-9]/g, '')}`;
}

export class StackAdapter {
  private outputs?: Promise<Record<string, string>>;
  private status = '';

  constructor(
    private readonly client: CloudFormationClient,
    readonly stackName: string,
  ) {}

  private load(): Promise<Record<string, string>> {
    this.outputs ??= this.describe();
    return this.outputs;
  }

  private async describe(): Promise<Record<string, string>> {
    try {
      const answer = await this.client.send(new DescribeStacksCommand({ StackName: this.stackName }));
      this.status = answer.Stacks?.[0]?.StackStatus ?? '';
      return Object.fromEntries((answer.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    } catch (error) {
      const message = (error as Error).message ?? '';
      if ((error as Error).name === 'ValidationError' && /does not exist/.test(message)) {
        throw new InputError(`stack ${this.stackName} does not exist`, 'deploy it (npm run deploy -- -c stage=<stage>), or pass the right --stage / --app');
      }
      throw awsFailure(`DescribeStacks ${this.stackName}`, error);
    }
  }

  /** Declared names of the deployed functions. */
  async functionNames(): Promise<string[]> {
    const outputs = await this.load();
    // Output keys lose "-"; the declared name is only recoverable when it had none, so report keys.
    return Object.keys(outputs)
      .filter((k) => k.startsWith('Function'))
      .map((k) => k.slice('Function'.length))
      .sort();
  }

  /**
   * Like resolve, for commands that write the alias: refuses while a deploy runs, because the
   * deploy reads the alias and may write it right after (without a RevisionId).
   */
  async resolveForChange(name: string): Promise<DeployedFunction> {
    const deployed = await this.resolve(name);
    if (/_IN_PROGRESS$/.test(this.status)) {
      throw new InputError(`stack ${this.stackName} is ${this.status}: a deploy may rewrite the live alias`, 'wait for the deploy to finish, then run the command again');
    }
    return deployed;
  }

  async resolve(name: string): Promise<DeployedFunction> {
    const outputs = await this.load();
    const functionName = outputs[outputKey('Function', name)];
    if (!functionName) {
      const known = await this.functionNames();
      throw new InputError(
        `unknown function "${name}" in stack ${this.stackName} (deployed: ${known.length > 0 ? known.join(', ') : 'none'})`,
        'use a name declared in faas.config.ts and deployed to this stage (--stage)',
      );
    }
    const alarms = (outputs[outputKey('Alarms', name)] ?? '').split(',').filter((a) => a !== '');
    const dlqUrl = outputs[outputKey('Dlq', name)];
    return { name, functionName, alarms, ...(dlqUrl ? { dlqUrl } : {}) };
  }
}
