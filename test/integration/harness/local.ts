/**
 * `npm run local`: MiniStack with the fidelity layer in the background (or AWS_ENDPOINT_URL), a
 * fresh deploy of the dev stage, and a curl line for every route. `npm run local -- --stop` stops
 * the MiniStack it started. Running it again while its MiniStack runs resets that one and deploys
 * anew; `npm run local -- --update` deploys the work tree onto it without a reset, as `cdk deploy`
 * would onto AWS (a changed function publishes a new version; live stays where it is).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import declaration from '../../../faas.config';
import type { AuthDeclaration } from '../../../lib/declaration/auth';
import { resolvePlatformWithContainers } from '../../../lib/declaration/container';
import { jobsPath } from '../../../lib/declaration/async';
import { readProject } from '../../../lib/project';
import { apiKeyValue, curlLine, describeAuth } from './api-access';
import { routeUrls } from './data-plane';
import { deployApp, STAGE } from './deploy';
import { allOutputs, PROJECT_ROOT, recordDeployment } from './deployment';
import { alive, awsEnv, DEFAULT_ENDPOINT, emulatorDir, probe, reset, startOrAttach, stop, type Emulator } from './emulator';

const pidFile = path.join(emulatorDir(PROJECT_ROOT), 'ministack.pid');

/** "<pid> <endpoint>": the endpoint too, since it is not 4566 when that port was taken. */
function readLocal(): { pid: number; endpoint: string } | undefined {
  if (!fs.existsSync(pidFile)) return undefined;
  const [pidText, endpoint = DEFAULT_ENDPOINT] = fs.readFileSync(pidFile, 'utf8').trim().split(/\s+/);
  const pid = Number(pidText);
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? { pid, endpoint } : undefined;
}

const readPid = (): number | undefined => readLocal()?.pid;

async function stopLocal(): Promise<void> {
  const pid = readPid();
  if (pid === undefined) {
    console.log(`no MiniStack started by npm run local is running (${pidFile})`);
  } else {
    await stop({ pid });
    console.log(`stopped MiniStack (process group ${pid})`);
  }
  fs.rmSync(pidFile, { force: true });
}

/** The MiniStack an earlier `npm run local` left running, else whatever startOrAttach finds or starts. */
async function emulator(): Promise<Emulator> {
  const local = readLocal();
  if (local !== undefined && !process.env.AWS_ENDPOINT_URL && (await probe(local.endpoint)) === 'ministack') {
    return { endpoint: local.endpoint, kind: 'ministack', pid: local.pid };
  }
  const started = await startOrAttach(PROJECT_ROOT, { detached: true });
  if (started.pid !== undefined) fs.writeFileSync(pidFile, `${started.pid} ${started.endpoint}\n`);
  return started;
}

async function main(): Promise<void> {
  if (process.argv.includes('--stop')) return stopLocal();
  const update = process.argv.includes('--update');
  if (update && readLocal() === undefined && !process.env.AWS_ENDPOINT_URL) {
    throw new Error('npm run local -- --update deploys onto the MiniStack npm run local started, and none runs: run npm run local first');
  }
  const t = Date.now();
  const em = await emulator();
  if (!update) await reset(em);
  const { outputs } = await deployApp(PROJECT_ROOT, em.endpoint);
  const deployment = recordDeployment(PROJECT_ROOT, {
    endpoint: em.endpoint,
    kind: em.kind,
    stackName: `${declaration.app}-${STAGE}`,
    stage: STAGE,
    outputs,
  });
  const routes = routeUrls(outputs, em.endpoint);
  // Who may call each route, as the deployed declaration decided it.
  const platform = resolvePlatformWithContainers(declaration, STAGE, readProject(PROJECT_ROOT));
  const auths = new Map<string, AuthDeclaration | undefined>([
    ...platform.functions.flatMap((f) => [
      ...f.routes.map((r): [string, AuthDeclaration | undefined] => [`${r.method} ${r.path}`, r.auth]),
      ...(f.queue ? [[`POST ${jobsPath(f.name)}`, f.queue.auth] as [string, AuthDeclaration | undefined]] : []),
    ]),
    ...platform.containers.flatMap((c) => c.routes.map((r): [string, AuthDeclaration | undefined] => [`${r.method} ${r.path}`, r.auth])),
  ]);
  const jobsRoutes = new Set(platform.functions.filter((f) => f.queue).map((f) => jobsPath(f.name)));
  const apiKeyId = allOutputs({ outputs, stackName: `${declaration.app}-${STAGE}` }).ApiKeyId;
  const call = {
    endpoint: em.endpoint,
    apiKeyId,
    apiKey: apiKeyId ? await apiKeyValue({ outputs, stackName: `${declaration.app}-${STAGE}`, endpoint: em.endpoint }) : undefined,
  };
  const hello = routes.find((r) => r.method === 'GET' && r.path === '/hello');
  const exports = Object.entries(awsEnv(em.endpoint)).map(([k, v]) => `export ${k}=${v}`);

  const fidelityNote =
    em.fidelity === false ? ' (plain: FAAS_EMULATOR_FIDELITY=off)' : em.pid !== undefined ? ' with the fidelity layer' : '';
  const lines = [
    '',
    `${em.kind} at ${em.endpoint}${fidelityNote}: ` +
      `stage ${STAGE} ${update ? 'updated' : 'deployed'} in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    '',
    ...routes.flatMap((r) => {
      const auth = auths.get(`${r.method} ${r.path}`);
      // The jobs route has no /preview twin: it goes to the queue, not to an alias.
      const queue = r.method === 'POST' && jobsRoutes.has(r.path);
      return [
        `${r.method} ${r.path}   (${auth ? describeAuth(auth) : 'auth unknown'})`,
        `  live:    ${curlLine(r.method, r.live, auth, call)}`,
        ...(queue ? [] : [`  preview: ${curlLine(r.method, r.preview, auth, call)}`]),
      ];
    }),
    '',
    'AWS CLI / SDK / faas CLI against it:',
    ...exports.map((line) => `  ${line}`),
    ...(hello ? ['', ...canaryWalkthrough(hello.live)] : []),
    '',
    em.pid !== undefined
      ? `MiniStack keeps running (pid ${em.pid}). Stop it: npm run local -- --stop`
      : `Attached to AWS_ENDPOINT_URL=${em.endpoint}; nothing was started.`,
    `Integration tests against it: AWS_ENDPOINT_URL=${em.endpoint} npm run test:integration (npm test starts its own MiniStack beside it)`,
    `Outputs: ${path.relative(process.cwd(), path.join(emulatorDir(PROJECT_ROOT), 'deployment.json'))} (API ${deployment.apiUrl})`,
  ];
  console.log(lines.join('\n'));
}

/** The README's "try a canary" steps with this deployment's URL filled in. */
function canaryWalkthrough(helloUrl: string): string[] {
  return [
    'Try a canary release (README "Try a canary locally"): change GREETING in faas.config.ts, then',
    '  npm run local -- --update                     # publishes version 2; live stays on 1',
    `  (for i in $(seq 3000); do curl -s -o /dev/null '${helloUrl}'; sleep 0.05; done) &   # ~15 requests/s`,
    '  npx faas canary hello --ramp-bake 10s --bake 20s --poll 2s   # with the exports above: promoted, exit 0',
  ];
}

main().catch((error: Error) => {
  console.error(error.message);
  if (readPid() !== undefined) console.error('MiniStack is still running; stop it with: npm run local -- --stop');
  process.exit(1);
});
