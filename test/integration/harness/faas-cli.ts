/** Runs the real `faas` CLI (`node bin/faas.js … --stage <stage>`) against the emulator, as a child process. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT, type Deployment } from './deployment';
import { childEnv } from './emulator';

export interface FaasRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed (with --json). */
  readonly json: Record<string, unknown>;
  readonly ms: number;
}

export async function runFaas(deployment: Pick<Deployment, 'endpoint' | 'stage'>, args: string[], timeoutMs = 90_000): Promise<FaasRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'faas.js'), ...args, '--stage', deployment.stage], {
    cwd: PROJECT_ROOT,
    env: childEnv(deployment.endpoint),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  let json: Record<string, unknown> = {};
  if (args.includes('--json')) {
    try {
      json = JSON.parse(stdout) as Record<string, unknown>;
    } catch {
      throw new Error(`faas ${args.join(' ')} exited ${code} without one JSON document on stdout:\n${stdout}\n--- stderr ---\n${stderr}`);
    }
  }
  // The AWS SDK's Node-version warning is environment noise, not the CLI's output.
  stderr = stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?\(Use `node --trace-warnings[^\n]*\n?/g, '');
  return { code, stdout, stderr, json, ms: Date.now() - started };
}
