/**
 * The emulator the integration tests deploy to: MiniStack, installed in a project-local venv
 * and run as a child process with the fidelity layer (test/integration/fidelity; off with
 * FAAS_EMULATOR_FIDELITY=off), or an endpoint the caller already runs (AWS_ENDPOINT_URL, e.g.
 * LocalStack), which is then only used: never started, reset-by-force or stopped.
 * When the default port is taken (say by `npm run local`'s MiniStack), a started one gets a free port.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Pinned: the gaps our tests name are those of this release. */
export const MINISTACK_VERSION = '1.5.33';
const PIP_PACKAGES = [`ministack==${MINISTACK_VERSION}`, 'boto3==1.43.106'];
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';
export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
const HEALTH_TIMEOUT_MS = 30_000;

export type EmulatorKind = 'ministack' | 'localstack';

/** The launcher that applies the fidelity layer to the pinned MiniStack, then starts it. */
const FIDELITY_LAUNCHER = path.resolve(__dirname, '..', 'fidelity', 'start.py');

/** FAAS_EMULATOR_FIDELITY=off starts plain MiniStack: the suite then skips what the layer adds. */
export function fidelityEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !['off', '0', 'false'].includes((env.FAAS_EMULATOR_FIDELITY ?? 'on').toLowerCase());
}

export interface Emulator {
  readonly endpoint: string;
  readonly kind: EmulatorKind;
  /** Process group id of the MiniStack this harness started; absent when attached to a running endpoint. */
  readonly pid?: number;
  readonly logFile?: string;
  /** Whether this harness started it with the fidelity layer; absent when attached (the probes ask the endpoint). */
  readonly fidelity?: boolean;
}

/** Where the harness keeps its venv, logs and run state (git-ignored). */
export function emulatorDir(root: string): string {
  return path.join(root, '.emulator');
}

/** Environment for AWS CLIs and SDKs talking to the emulator (cdklocal, the tests' clients). */
export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    CDK_DEFAULT_ACCOUNT: ACCOUNT,
    CDK_DEFAULT_REGION: REGION,
  };
}

/** The caller's environment with the emulator's AWS settings forced over any real profile or session. */
export function childEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) delete env[name];
  return { ...env, ...awsEnv(endpoint) };
}

/**
 * Attaches to AWS_ENDPOINT_URL when it answers, else starts MiniStack.
 * `detached: true` lets the emulator outlive this process (npm run local).
 */
export async function startOrAttach(root: string, options: { detached?: boolean } = {}): Promise<Emulator> {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    const kind = await probe(external);
    if (!kind)
      throw new Error(
        `AWS_ENDPOINT_URL=${external} does not answer a MiniStack or LocalStack health check; ` +
          'start it, or unset AWS_ENDPOINT_URL to let the harness start MiniStack',
      );
    return { endpoint: external.replace(/\/+$/, ''), kind };
  }
  const python = await ensureVenv(root);
  let endpoint = DEFAULT_ENDPOINT;
  if (await probe(DEFAULT_ENDPOINT)) {
    // Typically npm run local's: leave it and its state alone, run our own beside it.
    endpoint = `http://127.0.0.1:${await freePort()}`;
    console.log(`[emulator] ${DEFAULT_ENDPOINT} is taken by a running emulator (left alone); starting MiniStack on ${endpoint}`);
  }
  return startMiniStack(root, python, endpoint, options.detached ?? false);
}

/** A TCP port nothing listens on now (the OS picks it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Creates <root>/.emulator/venv with the pinned packages, once; returns its python. */
export async function ensureVenv(root: string): Promise<string> {
  const venv = path.join(emulatorDir(root), 'venv');
  const python = path.join(venv, 'bin', 'python');
  const marker = path.join(venv, `.installed-${PIP_PACKAGES.join('+')}`);
  if (fs.existsSync(marker)) return python;
  fs.mkdirSync(emulatorDir(root), { recursive: true });
  console.log(`[emulator] installing ${PIP_PACKAGES.join(' ')} into ${venv}`);
  try {
    if (!fs.existsSync(python)) await run('python3', ['-m', 'venv', venv]);
    await run(python, ['-m', 'pip', 'install', '--quiet', ...PIP_PACKAGES], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`could not install MiniStack into ${venv}: ${e.message}\n${tail(e.stderr ?? '')}`);
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return python;
}

async function startMiniStack(root: string, python: string, endpoint: string, detached: boolean): Promise<Emulator> {
  const url = new URL(endpoint);
  const logFile = path.join(emulatorDir(root), endpoint === DEFAULT_ENDPOINT ? 'ministack.log' : `ministack-${url.port}.log`);
  const log = fs.openSync(logFile, 'w');
  const fidelity = fidelityEnabled();
  const child = spawn(python, [FIDELITY_LAUNCHER], {
    // Its own process group, so stop() reaches the function workers it spawns too.
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...ministackEnv(url), FAAS_EMULATOR_FIDELITY: fidelity ? 'on' : 'off' },
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${python} ${FIDELITY_LAUNCHER}`);
  // Never keeps this process alive; without `detached`, it also does not outlive it.
  child.unref();
  if (!detached) process.once('exit', () => signalGroup(child.pid!, 'SIGKILL'));
  const emulator: Emulator = { endpoint: url.origin, kind: 'ministack', pid: child.pid, logFile, fidelity };
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`MiniStack exited (${signal ?? `code ${code}`}) before it was healthy`))),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([waitHealthy(emulator.endpoint, HEALTH_TIMEOUT_MS), exited]);
  } catch (error) {
    await stop(emulator);
    throw new Error(`${(error as Error).message}\n--- ${logFile} (tail) ---\n${tail(readSafe(logFile))}`);
  }
  return emulator;
}

/**
 * MiniStack's environment, inherited by the function workers it spawns: the host's PATH (its
 * node runs Node functions) plus fake credentials and the endpoint, so handlers that carry
 * their own SDK (custom resources) call the emulator and never a real account.
 */
function ministackEnv(url: URL): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  // The fidelity layer's own settings (e.g. compressed async retry delays).
  for (const [name, value] of Object.entries(process.env)) if (name.startsWith('FAAS_FIDELITY_')) env[name] = value;
  return {
    ...env,
    ...awsEnv(url.origin),
    LAMBDA_EXECUTOR: 'local',
    GATEWAY_PORT: url.port,
    BIND_HOST: url.hostname,
    // Custom-resource callbacks: an IPv4 literal, since "localhost" may resolve to ::1 first.
    MINISTACK_HOST: url.hostname,
    // Otherwise it also listens on 0.0.0.0:8883 (IoT mTLS) and starts an SFTP server.
    IOT_MTLS_ENABLED: '0',
    SFTP_ENABLED: '0',
  };
}

/** Which emulator answers at the endpoint, if any. */
export async function probe(endpoint: string): Promise<EmulatorKind | undefined> {
  for (const [kind, route] of [
    ['ministack', '/_ministack/health'],
    ['localstack', '/_localstack/health'],
  ] as const) {
    try {
      const response = await fetch(`${endpoint.replace(/\/+$/, '')}${route}`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return kind;
    } catch {
      // Not listening (yet), or not this kind: try the next route.
    }
  }
  return undefined;
}

export async function waitHealthy(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe(endpoint)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`emulator at ${endpoint} not healthy after ${timeoutMs / 1000} s`);
}

/** Wipes all emulated state (MiniStack only; LocalStack's state is the caller's to manage). */
export async function reset(emulator: Emulator): Promise<boolean> {
  if (emulator.kind !== 'ministack') return false;
  const response = await fetch(`${emulator.endpoint}/_ministack/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`POST ${emulator.endpoint}/_ministack/reset answered ${response.status}: ${await response.text()}`);
  return true;
}

/** Stops a MiniStack this harness started (its whole process group) and waits until it is gone. */
export async function stop(emulator: Pick<Emulator, 'pid'>, timeoutMs = 10_000): Promise<void> {
  const pid = emulator.pid;
  if (pid === undefined || !alive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  // Workers may outlive the leader: always sweep the group.
  signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (alive(pid)) {
    if (Date.now() > killDeadline) throw new Error(`MiniStack process group ${pid} survived SIGKILL for 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** True while the process (or, for a reaped leader, any of its group) exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function readSafe(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
