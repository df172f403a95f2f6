/**
 * Bootstraps the emulator's account and deploys the app (stage dev) with cdklocal, as the
 * user would; returns the stack outputs. The dev stage is what emulators can hold: warm
 * capacity (Application Auto Scaling) and CodeDeploy are prod-only and MiniStack rejects them.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACCOUNT, REGION, childEnv, emulatorDir, tail } from './emulator';
import type { Variant } from './variant-app';

export const STAGE = 'dev';

/** Stack name → output key → value, as `cdk deploy --outputs-file` writes them. */
export type StackOutputs = Record<string, Record<string, string>>;

export interface DeployResult {
  readonly outputs: StackOutputs;
  readonly timings: { readonly bootstrapMs: number; readonly deployMs: number };
}

export interface DeployOptions {
  /**
   * Deploy the example app with these functions' environment changed (harness/variant-app.ts):
   * a new version through the real deploy path, faas.config.ts untouched.
   * @default - the app as declared
   */
  readonly variant?: Variant;
  /** @default true — bootstrap first (once per emulator state) */
  readonly bootstrap?: boolean;
}

export async function deployApp(root: string, endpoint: string, options: DeployOptions = {}): Promise<DeployResult> {
  const dir = emulatorDir(root);
  const outputsFile = path.join(dir, 'outputs.json');
  fs.rmSync(outputsFile, { force: true });
  // An explicit environment: bootstrap then needs no synth of the app.
  const bootstrapMs = options.bootstrap === false ? 0 : await cdklocal(root, endpoint, 'bootstrap', [`aws://${ACCOUNT}/${REGION}`]);
  const variantApp =
    options.variant === undefined
      ? []
      : ['--app', `npx ts-node --transpile-only --prefer-ts-exts ${path.join(__dirname, 'variant-app.ts')}`];
  const deployMs = await cdklocal(
    root,
    endpoint,
    'deploy',
    [
      ...variantApp,
      '--all',
      '--require-approval',
      'never',
      '--outputs-file',
      outputsFile,
      // Its own cloud assembly, so a synth in the work tree never races the harness.
      '--output',
      path.join(dir, 'cdk.out'),
      '-c',
      `stage=${STAGE}`,
      // Image functions need Docker to build and to run; emulator deploys leave them out.
      '-c',
      'containers=false',
    ],
    options.variant === undefined ? {} : { FAAS_VARIANT: JSON.stringify(options.variant) },
  );
  const outputs = JSON.parse(fs.readFileSync(outputsFile, 'utf8')) as StackOutputs;
  return { outputs, timings: { bootstrapMs, deployMs } };
}

/** Runs `cdklocal <command> …`; its output goes to .emulator/<command>.log and, on failure, into the error. */
async function cdklocal(root: string, endpoint: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const started = Date.now();
  const logFile = path.join(emulatorDir(root), `${command}.log`);
  const bin = path.join(root, 'node_modules', '.bin', 'cdklocal');
  const child = spawn(bin, [command, ...args, '--no-notices', '--ci'], {
    cwd: root,
    env: { ...childEnv(endpoint), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  fs.writeFileSync(logFile, output);
  const ms = Date.now() - started;
  if (code !== 0) {
    throw new Error(`cdklocal ${command} failed (exit ${code}, ${(ms / 1000).toFixed(1)} s); full log: ${logFile}\n${tail(output)}`);
  }
  console.log(`[deploy] cdklocal ${command}: ${(ms / 1000).toFixed(1)} s`);
  return ms;
}
