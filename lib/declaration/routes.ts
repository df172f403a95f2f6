/**
 * HTTP routes, as both function kinds declare them, and the rule that holds across the whole app:
 * one method+path is routed once, whichever kind serves it. Plain data: no aws-cdk-lib.
 */
import { z } from 'zod';
import { implicitRoutes, type AsyncView } from './async';
import { authSchema } from './auth';
import { PREVIEW_PREFIX } from '../contract';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

/** Path prefix under which every route is also served by the preview alias. */
export { PREVIEW_PREFIX };

// A path is '/', or '/'-separated segments of literals or {params}; {name+} only as the last segment.
const ROUTE_PATH = /^\/$|^(?!$)(\/([A-Za-z0-9._~-]+|\{[A-Za-z][A-Za-z0-9_]*\}))*(\/\{[A-Za-z][A-Za-z0-9_]*\+\})?$/;

export const routeSchema = z
  .object({
    method: z.enum(HTTP_METHODS, { error: `method must be one of ${HTTP_METHODS.join(', ')}; fix: use an upper-case HTTP method or ANY` }),
    path: z.string().regex(ROUTE_PATH, {
      error:
        'path must start with "/" and use segments like "users", "{id}" or a final "{proxy+}"; fix: e.g. "/users/{id}" (no trailing slash)',
    }),
    /**
     * Who may call the route (its /preview twin too).
     * @default - api.auth of the stage, else of the app; synth fails when neither is set
     */
    auth: authSchema.optional(),
  })
  .strict();

export type RouteDeclaration = z.output<typeof routeSchema>;

/** One route of the app, with where it was declared and who serves it. */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
  /** The function a problem on it belongs to; absent for a container's route. */
  readonly functionName?: string;
  /** The declared field, e.g. "routes[0]", "queue" or "containers.todo.routes[1]". */
  readonly field: string;
  /** Who serves it, as a message names it: 'function "hello"', 'the jobs queue of function "worker"'. */
  readonly servedBy: string;
  /** The function or container that declares it, as a message names it. */
  readonly declaredBy: string;
}

/** One problem on a route, before the resolver marks stage overrides. */
export interface RouteProblem {
  readonly functionName?: string;
  readonly field: string;
  readonly value: unknown;
  readonly message: string;
}

type Routed = { readonly name: string; readonly routes: readonly { readonly method: string; readonly path: string }[] };

/** Every route of the app in the order checkRoutes wants: the platform's own, the zip functions', the containers'. */
export function routesOf(functions: readonly (Routed & Pick<AsyncView, 'queue'>)[], containers: readonly Routed[]): RouteEntry[] {
  const fn = (name: string) => `function "${name}"`;
  const container = (name: string) => `container "${name}"`;
  return [
    ...functions.flatMap((f) =>
      implicitRoutes(f).map(({ method, path }) => ({
        method,
        path,
        functionName: f.name,
        field: 'queue',
        servedBy: `the jobs queue of ${fn(f.name)}`,
        declaredBy: fn(f.name),
      })),
    ),
    ...functions.flatMap((f) =>
      f.routes.map(({ method, path }, i) => ({
        method,
        path,
        functionName: f.name,
        field: `routes[${i}]`,
        servedBy: fn(f.name),
        declaredBy: fn(f.name),
      })),
    ),
    ...containers.flatMap((c) =>
      c.routes.map(({ method, path }, i) => ({
        method,
        path,
        field: `containers.${c.name}.routes[${i}]`,
        servedBy: container(c.name),
        declaredBy: container(c.name),
      })),
    ),
  ];
}

/**
 * A method+path pair may be routed once across the whole app; ANY overlaps every method. The
 * platform's own routes should come first, so a declared route that clashes with one is reported.
 */
export function checkRoutes(routes: readonly RouteEntry[]): RouteProblem[] {
  const problems: RouteProblem[] = [];
  const owners = new Map<string, { method: string; path: string; servedBy: string }[]>();
  const variables = new Map<string, { name: string; path: string; declaredBy: string }>();
  for (const route of routes) {
    const { path, field } = route;
    const at = route.functionName !== undefined ? { functionName: route.functionName } : {};
    if (path === PREVIEW_PREFIX || path.startsWith(`${PREVIEW_PREFIX}/`)) {
      problems.push({
        ...at,
        field: `${field}.path`,
        value: path,
        message: `paths under ${PREVIEW_PREFIX} are reserved for preview routes; fix: choose another path`,
      });
    }
    const normalised = path.replace(/\{[^}]+\}/g, '{}');
    const taken = owners.get(normalised) ?? [];
    const clash = taken.find((t) => t.method === route.method || t.method === 'ANY' || route.method === 'ANY');
    const renamed = variableClash(variables, path, route.declaredBy);
    if (clash) {
      problems.push({
        ...at,
        field,
        value: `${route.method} ${path}`,
        message:
          `duplicate route: ${clash.method} ${clash.path} is already routed to ${clash.servedBy}; fix: give one of them ` +
          'another path or method',
      });
    } else if (renamed) {
      // API Gateway allows one variable child per resource: {id} and {userId} under /users cannot coexist.
      problems.push({
        ...at,
        field: `${field}.path`,
        value: path,
        message:
          `path parameter ${renamed.mine} conflicts with ${renamed.theirs} of ${renamed.path} (${renamed.declaredBy}) ` +
          'under the same parent; fix: use the same parameter name',
      });
    }
    taken.push({ method: route.method, path, servedBy: route.servedBy });
    owners.set(normalised, taken);
  }
  return problems;
}

/**
 * Records the variable segment under each parent of `path`; returns the first clash with a
 * differently named variable already recorded under the same parent.
 */
function variableClash(
  variables: Map<string, { name: string; path: string; declaredBy: string }>,
  path: string,
  declaredBy: string,
): { mine: string; theirs: string; path: string; declaredBy: string } | undefined {
  const segments = path.split('/').filter(Boolean);
  let parent = '';
  let clash: { mine: string; theirs: string; path: string; declaredBy: string } | undefined;
  for (const segment of segments) {
    if (segment.startsWith('{')) {
      const seen = variables.get(parent);
      if (seen && seen.name !== segment) clash ??= { mine: segment, theirs: seen.name, path: seen.path, declaredBy: seen.declaredBy };
      if (!seen) variables.set(parent, { name: segment, path, declaredBy });
    }
    parent += `/${segment.startsWith('{') ? '{}' : segment}`;
  }
  return clash;
}
