/**
 * Builds the platform from a declaration for template assertions, against this repository's
 * functions/ and layers/ unless a test passes its own project. Assets are not bundled unless a
 * test asks (`bundle: true`): templates are the same but for asset hashes, and esbuild is most
 * of a synth's time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { FunctionInput, PlatformInput } from '../../../lib/declaration/schema';
import { InMemoryPlacement, type PlacementStore } from '../../../lib/placement/placement-file';
import { buildPlatformApp, type PlatformApp } from '../../../lib/platform-app';
import type { FunctionStack } from '../../../lib/stacks/function-stack';
import { sharedBuilds, type SharedBuild } from './shared-builds';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** cdk.json's context (feature flags), as the CDK CLI would pass it to the app. */
export const CDK_CONTEXT = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;

/**
 * App props for tests whose subject is not the templates' validity: CDK's built-in check of every
 * template against CloudFormation's rules (a WASM engine, about a third of a small synth) is off.
 * It stays on where that is the subject: the example app (npm run synth, security.test.ts) and the
 * project `faas init` makes (pack-init-synth.test.ts).
 */
export const NO_CFN_VALIDATION = { builtinCloudFormationValidation: false } as const;

/** Context that makes synth skip asset bundling in every stack (the assets' code is not looked at). */
export const NO_BUNDLING: Record<string, unknown> = { [cxapi.BUNDLING_STACKS]: [] };

export function hello(overrides: Partial<FunctionInput> = {}): FunctionInput {
  return { layers: ['shared'], routes: [{ method: 'GET', path: '/hello' }], ...overrides };
}

/** The default auth of fixture apps: their routes are about something else than who may call them. */
export const PUBLIC_FOR_TESTS = { kind: 'none', reason: 'test fixture: routes are public unless a test says otherwise' } as const;

export function declaration(functions: Record<string, FunctionInput>, extra: Partial<PlatformInput> = {}): PlatformInput {
  return { app: 'test', functions, ...extra, api: { auth: PUBLIC_FOR_TESTS, ...extra.api } };
}

export interface Built extends PlatformApp {
  /** The first function stack: where a small test app's functions all are. */
  readonly stack: FunctionStack;
  /** Its template. */
  readonly template: Template;
  /** The base stack's template (the REST API). */
  readonly baseTemplate: Template;
  /** The API stack's template (the stage), when any route is declared. */
  readonly apiTemplate?: Template;
}

export interface BuildOptions {
  /** @default 'dev' */
  readonly stage?: string;
  /** @default REPO_ROOT */
  readonly projectRoot?: string;
  /** @default false */
  readonly nag?: boolean;
  /** @default - a new, empty InMemoryPlacement */
  readonly placement?: PlacementStore;
  /** @default false */
  readonly bundle?: boolean;
}

/**
 * Builds the app without cdk-nag (the security test runs it on its own) and returns the stack template.
 * Tests of a file asking for the same declaration and options share one build (shared-builds.ts);
 * one with its own placement store or project gets a new one (either may change between calls).
 */
export const build: SharedBuild<[input: PlatformInput, options?: BuildOptions], Built> = sharedBuilds(
  (input: PlatformInput, options: BuildOptions = {}) => buildFresh(input, options),
  (input, options = {}) => (options.placement || options.projectRoot ? undefined : JSON.stringify([input, options])),
);

function buildFresh(input: PlatformInput, options: BuildOptions): Built {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-test-'));
  const built = buildPlatformApp({
    declaration: input,
    projectRoot: options.projectRoot ?? REPO_ROOT,
    appProps: {
      outdir,
      ...NO_CFN_VALIDATION,
      context: { ...CDK_CONTEXT, ...(options.bundle ? {} : NO_BUNDLING), stage: options.stage ?? 'dev' },
    },
    nag: options.nag ?? false,
    placement: options.placement ?? new InMemoryPlacement(),
  });
  const stack = built.functionStacks[0];
  return {
    ...built,
    stack,
    template: Template.fromStack(stack),
    baseTemplate: Template.fromStack(built.base),
    apiTemplate: built.apiStack ? Template.fromStack(built.apiStack) : undefined,
  };
}

/** Logical IDs of all resources of a type. */
export function logicalIds(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type));
}
