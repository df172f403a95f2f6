/**
 * One-call alias changes: `faas promote`, `faas rollback`, `faas set-weight`. Each reads the
 * alias, validates, and writes once with the RevisionId it read (or, with --dry-run, only says
 * what it would write).
 */
import type { AliasTarget, LiveAlias } from '../adapters/lambda';
import { percent } from '../engine/gates';
import { InputError } from '../engine/input-error';
import { parseWeight, validateCandidate } from '../engine/plan';
import { releaseWarmCapacity } from '../rollout/controller';
import { commandContext, describeAlias, type CommandContext, type CommonOptions } from './context';
import { EXIT } from './exit-codes';
import { aliasPort, warmPort } from './rollout';
import type { Runtime } from './runtime';

export interface ChangeOptions extends CommonOptions {
  readonly dryRun?: boolean;
  readonly to?: string;
}

async function apply(
  ctx: CommandContext,
  name: string,
  fn: string,
  before: LiveAlias,
  target: AliasTarget,
  what: string,
  dryRun: boolean,
): Promise<number> {
  const planned = {
    primary: target.primary,
    candidate: target.candidate,
    weight: target.candidate === undefined ? 0 : (target.weight ?? 0),
  };
  if (dryRun) {
    ctx.say(`dry run: would ${what}: ${describeAlias(before)} → ${describeAlias(planned)}; nothing was changed`);
    ctx.emit({ function: name, functionName: fn, dryRun: true, before: shape(before), after: shape(planned) });
    return EXIT.ok;
  }
  const after = await ctx.adapters.lambda.updateAlias(fn, target, before.revisionId);
  ctx.say(`${what}: ${describeAlias(before)} → ${describeAlias(after)}`);
  // An alias without weights ends any rollout, so a hold on warm capacity left by one ends too.
  const warm =
    after.candidate === undefined
      ? await releaseWarmCapacity({ alias: aliasPort(ctx.adapters.lambda, fn), warm: warmPort(ctx.adapters, fn) })
      : undefined;
  if (warm !== undefined) ctx.say(`warm capacity released: ${warm}`);
  ctx.emit({
    function: name,
    functionName: fn,
    dryRun: false,
    before: shape(before),
    after: shape(after),
    ...(warm !== undefined ? { warm } : {}),
  });
  return EXIT.ok;
}

function shape(alias: { primary: string; candidate?: string; weight: number }): {
  primary: string;
  candidate: string | null;
  weight: number;
} {
  return { primary: alias.primary, candidate: alias.candidate ?? null, weight: alias.weight };
}

export async function promote(runtime: Runtime, name: string, options: ChangeOptions): Promise<number> {
  const ctx = commandContext(runtime, options);
  const { functionName: fn } = await ctx.adapters.stack.resolveForChange(name);
  const alias = await ctx.adapters.lambda.getAlias(fn);
  if (alias.candidate === undefined) {
    throw new InputError(`nothing to promote: ${describeAlias(alias)} has no candidate`, `start a rollout with \`faas canary ${name}\``);
  }
  return apply(ctx, name, fn, alias, { primary: alias.candidate }, `promote version ${alias.candidate}`, options.dryRun === true);
}

export async function rollback(runtime: Runtime, name: string, options: ChangeOptions): Promise<number> {
  const to = options.to;
  if (to !== undefined && !/^\d+$/.test(to)) {
    throw new InputError(
      `--to must be a published version number, got: "${to}"`,
      'pass e.g. --to 3 (faas status lists the versions on live)',
    );
  }
  const ctx = commandContext(runtime, options);
  const { functionName: fn } = await ctx.adapters.stack.resolveForChange(name);
  const alias = await ctx.adapters.lambda.getAlias(fn);
  if (to === undefined) {
    if (alias.candidate === undefined) {
      ctx.say(`nothing to roll back: ${describeAlias(alias)}`);
      ctx.emit({ function: name, functionName: fn, dryRun: options.dryRun === true, before: shape(alias), after: shape(alias) });
      return EXIT.ok;
    }
    return apply(ctx, name, fn, alias, { primary: alias.primary }, `roll back version ${alias.candidate}`, options.dryRun === true);
  }
  const versions = await ctx.adapters.lambda.listVersions(fn);
  if (!versions.includes(to))
    throw new InputError(
      `version ${to} does not exist (published: ${versions.join(', ') || 'none'})`,
      'pass a published version with --to',
    );
  if (to === alias.primary && alias.candidate === undefined) {
    ctx.say(`nothing to roll back: ${describeAlias(alias)}`);
    return EXIT.ok;
  }
  return apply(ctx, name, fn, alias, { primary: to }, `point live at version ${to}`, options.dryRun === true);
}

export async function setWeight(runtime: Runtime, name: string, weightText: string, options: ChangeOptions): Promise<number> {
  const weight = parseWeight(weightText);
  if (options.to === '$LATEST')
    throw new InputError('the candidate must be a published version, got: $LATEST', 'pass a version number with --to');
  const ctx = commandContext(runtime, options);
  const { functionName: fn } = await ctx.adapters.stack.resolveForChange(name);
  const alias = await ctx.adapters.lambda.getAlias(fn);
  if (options.to !== undefined && alias.candidate !== undefined && alias.candidate !== options.to && alias.weight > 0) {
    throw new InputError(
      `live already routes ${percent(alias.weight)} to version ${alias.candidate}, not ${options.to}`,
      `\`faas rollback ${name}\` first, or set the weight of ${alias.candidate}`,
    );
  }
  const versions = await ctx.adapters.lambda.listVersions(fn);
  const candidate = options.to ?? alias.candidate ?? versions[versions.length - 1];
  if (candidate === undefined) throw new InputError(`function ${fn} has no published versions`, 'deploy to publish one');
  validateCandidate(candidate, alias.primary, versions);
  return apply(
    ctx,
    name,
    fn,
    alias,
    { primary: alias.primary, candidate, weight },
    `set version ${candidate} to ${percent(weight)}`,
    options.dryRun === true,
  );
}
