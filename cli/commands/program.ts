/**
 * The `faas` command line (commander): subcommands, their options and help. Actions return an
 * exit code; errors become one line plus the fix (exit-codes.ts).
 */
import { Command, CommanderError } from 'commander';
import { promote, rollback, setWeight } from './alias-commands';
import { InputError } from '../engine/input-error';
import type { CommonOptions } from './context';
import { checkRequested, type DeclaredNames } from './declared';
import { peek, redrive } from './dlq';
import { EXIT, reportError } from './exit-codes';
import { ROLLOUT_DEFAULTS, runRollout, type RolloutOptions } from './rollout';
import type { Runtime } from './runtime';
import { status } from './status';

const collect = (value: string, previous: string[]) => [...previous, value];

function common(cmd: Command): Command {
  return cmd
    .option('--stage <stage>', 'stage whose stack (<app>-<stage>) holds the function', 'dev')
    .option('--app <name>', 'app name (default: app in faas.config.ts)')
    .option('--json', 'machine-readable output on stdout');
}

function rolloutOptions(cmd: Command): Command {
  return cmd
    .option('--steps <percents>', 'traffic steps in percent, strictly increasing, ending at 100', ROLLOUT_DEFAULTS.steps)
    .option('--bake <duration>', 'bake time at 100% before promotion (30s, 5m, 1h)', ROLLOUT_DEFAULTS.bake)
    .option('--ramp-bake <duration>', `bake time of each step below 100% (default: ${ROLLOUT_DEFAULTS.rampBake}, or --bake if shorter)`)
    .option(
      '--max-bake <duration>',
      'how long a step may wait for the minimum sample before ending inconclusive, back on stable (default: 3 × the longer bake)',
    )
    .option('--min-invocations <n>', 'candidate invocations a step needs before it may pass', ROLLOUT_DEFAULTS.minInvocations)
    .option(
      '--lookback <duration>',
      'on resume, how far back the per-minute comparison reads (a new rollout reads from its start; 0: each step alone)',
      ROLLOUT_DEFAULTS.lookback,
    )
    .option('--gate <gate>', 'absolute gate, repeatable: "errors<1%", "p99<800ms"', collect, [])
    .option(
      '--alarm <name>',
      'alarm that rolls back when in ALARM, repeatable (full name, or errors / p99-duration / throttles)',
      collect,
      [],
    )
    .option('--no-compare', 'turn off the default comparative gate (sequential test vs the stable version)')
    .option('--no-promote', 'stop at 100% instead of making the candidate the primary')
    .option('--poll <duration>', 'how often metrics are read while baking', ROLLOUT_DEFAULTS.poll)
    .option('--warm-timeout <duration>', 'how long to wait for provisioned concurrency READY after a change', ROLLOUT_DEFAULTS.warmTimeout)
    .option('--dry-run', 'validate and print the plan; change nothing');
}

function buildProgram(runtime: Runtime, setExit: (code: number) => void): Command {
  let json = false;
  const run = (action: () => Promise<number>) => async () => {
    try {
      setExit(await action());
    } catch (error) {
      setExit(reportError(error, runtime.stderr, runtime.stdout, json));
    }
  };
  const program = new Command('faas')
    .description(
      'Releases and day-2 operations for faas-platform functions: canary through live alias weights, gated by metrics and alarms.',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 rolled back (regression), 2 bad input, 3 alias changed by someone else, 4 AWS error, 5 ' +
        'inconclusive (too little evidence; back on stable), 130 interrupted. See docs/cli.md.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => runtime.stdout.write(s), writeErr: (s) => runtime.stderr.write(s) });
  program.hook('preAction', (_self, action) => {
    // init makes the faas.config.ts the other commands are checked against.
    if (action.name() === 'init') return;
    const options = action.opts() as CommonOptions & { to?: string };
    json = options.json === true;
    checkAgainstDeclaration(runtime, options, action.args[0], options.to);
  });

  common(program.command('status').argument('[function]', 'declared function name (default: all in the stack)'))
    .description('live alias, candidate and weight, warm capacity, errors and p99 per version, DLQ depth')
    .action((name: string | undefined, options: CommonOptions) => run(() => status(runtime, name, options))());

  rolloutOptions(common(program.command('canary').argument('<function>', 'declared function name')))
    .description('move a version through the traffic steps, gated; roll back on a breach, promote at the end')
    .option('--to <version>', 'candidate version (default: the newest published version)')
    .action((name: string, options: RolloutOptions) => run(() => runRollout(runtime, name, options, 'canary'))());

  rolloutOptions(common(program.command('resume').argument('<function>', 'declared function name')))
    .description('continue a rollout from the alias as it is (the alias is the only state)')
    .action((name: string, options: RolloutOptions) => run(() => runRollout(runtime, name, options, 'resume'))());

  common(program.command('promote').argument('<function>', 'declared function name'))
    .description('make the candidate the primary version (no weights)')
    .option('--dry-run', 'print the change; change nothing')
    .action((name: string, options: CommonOptions & { dryRun?: boolean }) => run(() => promote(runtime, name, options))());

  common(program.command('rollback').argument('<function>', 'declared function name'))
    .description('send all traffic to the stable version (or --to an older one) in one call')
    .option('--to <version>', 'point live at this version instead (e.g. after a promotion)')
    .option('--dry-run', 'print the change; change nothing')
    .action((name: string, options: CommonOptions & { dryRun?: boolean; to?: string }) => run(() => rollback(runtime, name, options))());

  common(program.command('set-weight').argument('<function>', 'declared function name').argument('<weight>', 'candidate share, 0–1'))
    .description('set the candidate weight by hand (no gates)')
    .option('--to <version>', 'candidate version (default: the candidate on live, else the newest)')
    .option('--dry-run', 'print the change; change nothing')
    .action((name: string, weight: string, options: CommonOptions & { dryRun?: boolean; to?: string }) =>
      run(() => setWeight(runtime, name, weight, options))(),
    );

  const dlq = program.command('dlq').description("a function's dead-letter queue (the dlq its stack's FaasIndex output names)");
  common(dlq.command('peek').argument('<function>', 'declared function name'))
    .description('show messages without consuming them')
    .option('--max <n>', 'messages to show (1–10)', '10')
    .action((name: string, options: CommonOptions & { max: string }) => run(() => peek(runtime, name, options))());
  common(dlq.command('redrive').argument('<function>', 'declared function name'))
    .description('move the messages back to their source queue (StartMessageMoveTask), with progress until done')
    .option('--rate <n>', 'messages per second (1–500; default: SQS decides)')
    .option('--poll <duration>', 'how often progress is read', '5s')
    .option('--dry-run', 'print what would move; change nothing')
    .action((name: string, options: CommonOptions & { dryRun?: boolean; rate?: string; poll: string }) =>
      run(() => redrive(runtime, name, options))(),
    );

  program
    .command('init')
    .argument('[dir]', 'folder of the new project (created if missing)', '.')
    .description('scaffold a faas project: faas.config.ts, one function, cdk.json, tsconfig.json, package.json, README')
    .action((dir: string) => run(async () => (await import('./init')).init(runtime, dir))());

  return program;
}

/**
 * Function, stage and --to checked against faas.config.ts before any AWS call. With --app naming
 * another app (or no loadable faas.config.ts) the declaration does not describe it: AWS decides.
 */
function checkAgainstDeclaration(runtime: Runtime, options: CommonOptions, name: string | undefined, version: string | undefined): void {
  let declared: DeclaredNames;
  try {
    declared = runtime.declared();
  } catch (error) {
    if (options.app !== undefined && error instanceof InputError) return;
    throw error;
  }
  if (options.app !== undefined && options.app !== declared.app) return;
  checkRequested(declared, { stage: options.stage, function: name, version });
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], runtime: Runtime): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(runtime, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are bad input.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    // From the declaration check, before the action ran.
    if (error instanceof InputError) return reportError(error, runtime.stderr, runtime.stdout, argv.includes('--json'));
    throw error;
  }
  return code;
}
