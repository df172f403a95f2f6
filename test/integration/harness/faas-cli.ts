/** Runs the real `faas` CLI (`node bin/faas.js … --stage <stage>`) against the emulator, as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT, type Deployment } from './deployment';
import { childEnv } from './emulator';

export interface FaasRun {
  /** Exit code; null when killed by a signal (see `signal`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed (with --json; empty when killed). */
  readonly json: Record<string, unknown> & {
    result?: string;
    reason?: string;
    exitCode?: number;
    error?: string;
    history?: Array<{ action: { kind: string; weight?: number } }>;
  };
  readonly ms: number;
}

export interface FaasOptions {
  /** Runs while the CLI does; a throw kills it. */
  readonly during?: (child: ChildProcess) => Promise<void>;
  /** @default 180 s, then SIGKILL */
  readonly timeoutMs?: number;
}

/** Every CLI process still running, so a test file's afterAll can kill what a failed test left. */
export const running = new Set<ChildProcess>();

export async function runFaas(
  deployment: Pick<Deployment, 'endpoint' | 'stage'>,
  args: string[],
  options: FaasOptions = {},
): Promise<FaasRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'faas.js'), ...args, '--stage', deployment.stage], {
    cwd: PROJECT_ROOT,
    env: childEnv(deployment.endpoint),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => {
    clearTimeout(timer);
    running.delete(child);
  });
  try {
    if (options.during) await options.during(child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- faas ${args.join(' ')} stderr ---\n${stderr}`);
  }
  const { code, signal } = await exited;
  let json: FaasRun['json'] = {};
  if (args.includes('--json') && signal === null) {
    try {
      json = JSON.parse(stdout) as FaasRun['json'];
    } catch {
      throw new Error(`faas ${args.join(' ')} exited ${code} without one JSON document on stdout:\n${stdout}\n--- stderr ---\n${stderr}`);
    }
  }
  return { code, signal, stdout, stderr: withoutSdkNodeWarning(stderr), json, ms: Date.now() - started };
}

/**
 * The AWS SDK warns on Node < 22 that later releases will need Node 22 (process.emitWarning):
 * environment noise, not the CLI's output, so it is taken out before stderr is asserted.
 */
export function withoutSdkNodeWarning(stderr: string): string {
  return stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?\(Use `node --trace-warnings[^\n]*\n?/g, '');
}
