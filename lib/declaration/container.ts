/**
 * Containers in a declaration: the `container` kind (container-kind.ts) resolved alone, against
 * zip functions already resolved, or together with them for every declared stage.
 */
import { checkPrefixes, markContainerOverrides, resolveContainerEntries, type ResolvedContainers } from './container-kind';
import { DeclarationError, resolveStage, type ProjectView } from './resolve';
import { checkRoutes, routesOf } from './routes';
import type { ResolvedFunction, ResolvedPlatformWithContainers } from './schema';
import { isRecord } from './names';
import type { DeclarationProblem } from './zod-problems';

export { basePathsOf, type ContainerInput, type ResolvedContainer } from './container-kind';
export type { ResolvedPlatformWithContainers } from './schema';

/**
 * resolvePlatform for a declaration that may also hold `containers` (top level and per stage):
 * both kinds are resolved in one pass and every problem is thrown in one DeclarationError. Every
 * other declared stage is resolved too, so a synth of dev already fails on a broken prod override.
 * @throws DeclarationError listing every problem found
 */
export function resolvePlatformWithContainers(input: unknown, stage: string, project: ProjectView): ResolvedPlatformWithContainers {
  const own = resolveStage(input, stage, project);
  const problems = [...own.problems];
  const key = (p: DeclarationProblem) => JSON.stringify([p.functionName, p.field, p.override, p.message]);
  const seen = new Set(problems.map(key));
  const others = isRecord(input) && isRecord(input.stages) ? Object.keys(input.stages).filter((s) => s !== stage) : [];
  for (const other of others) {
    for (const p of resolveStage(input, other, project).problems) {
      if (seen.has(key(p))) continue;
      seen.add(key(p));
      problems.push({ ...p, stage: other });
    }
  }
  if (problems.length > 0 || !own.platform) throw new DeclarationError(stage, problems, others.length > 0 ? [stage, ...others] : [stage]);
  return own.platform;
}

/**
 * Resolve the `containers` of a declaration for one stage: `input.containers`, overridden by
 * `input.stages[stage].containers`. Never throws for a bad declaration: the problems are returned,
 * so the caller reports them with the functions' in one DeclarationError.
 * @param functions the resolved zip functions, for name and route clashes (theirs among
 * themselves are resolvePlatform's to report)
 */
export function resolveContainers(
  input: unknown,
  stage: string,
  project: ProjectView,
  functions: readonly ResolvedFunction[] = [],
): ResolvedContainers {
  const declared = isRecord(input) && isRecord(input.functions) ? Object.keys(input.functions) : [];
  const names = [...new Set([...functions.map((f) => f.name), ...declared])];
  const { containers, problems } = resolveContainerEntries(input, stage, project, names);
  const clashes = checkRoutes(routesOf(functions, containers)).filter((p) => p.functionName === undefined);
  problems.push(...markContainerOverrides(clashes, input, stage), ...checkPrefixes(containers, functions));
  return { containers, problems };
}
