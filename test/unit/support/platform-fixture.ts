/**
 * Builds the platform from a declaration for template assertions. Synth runs esbuild for
 * real (no Docker), against this repository's functions/ and layers/ unless a test passes
 * its own project.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { FunctionInput, PlatformInput } from '../../../lib/declaration/schema';
import { buildPlatformApp, type PlatformApp } from '../../../lib/platform-app';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** cdk.json's context (feature flags), as the CDK CLI would pass it to the app. */
export const CDK_CONTEXT = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export function hello(overrides: Partial<FunctionInput> = {}): FunctionInput {
  return { layers: ['shared'], routes: [{ method: 'GET', path: '/hello' }], ...overrides };
}

export function declaration(functions: Record<string, FunctionInput>, extra: Partial<PlatformInput> = {}): PlatformInput {
  return { app: 'test', functions, ...extra };
}

export interface Built extends PlatformApp {
  readonly template: Template;
}

/** Builds the app without cdk-nag (the security test runs it on its own) and returns the stack template. */
export function build(input: PlatformInput, options: { stage?: string; projectRoot?: string; nag?: boolean } = {}): Built {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'faas-test-'));
  const built = buildPlatformApp({
    declaration: input,
    projectRoot: options.projectRoot ?? REPO_ROOT,
    appProps: { outdir, context: { ...CDK_CONTEXT, stage: options.stage ?? 'dev' } },
    nag: options.nag ?? false,
  });
  return { ...built, template: Template.fromStack(built.stack) };
}

/** Logical IDs of all resources of a type. */
export function logicalIds(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type));
}
