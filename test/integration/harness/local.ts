/**
 * `npm run local`: MiniStack in the background (or AWS_ENDPOINT_URL), a fresh deploy of the
 * dev stage, and a curl line for every route. `npm run local -- --stop` stops the MiniStack
 * it started. Running it again while its MiniStack runs resets that one and deploys anew.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import declaration from '../../../faas.config';
import { routeUrls } from './data-plane';
import { deployApp, STAGE } from './deploy';
import { PROJECT_ROOT, recordDeployment } from './deployment';
import { alive, awsEnv, DEFAULT_ENDPOINT, emulatorDir, probe, reset, startOrAttach, stop, type Emulator } from './emulator';

const pidFile = path.join(emulatorDir(PROJECT_ROOT), 'ministack.pid');

function readPid(): number | undefined {
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

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
  const pid = readPid();
  if (pid !== undefined && !process.env.AWS_ENDPOINT_URL && (await probe(DEFAULT_ENDPOINT)) === 'ministack') {
    return { endpoint: DEFAULT_ENDPOINT, kind: 'ministack', pid, logFile: path.join(emulatorDir(PROJECT_ROOT), 'ministack.log') };
  }
  const started = await startOrAttach(PROJECT_ROOT, { detached: true });
  if (started.pid !== undefined) fs.writeFileSync(pidFile, `${started.pid}\n`);
  return started;
}

async function main(): Promise<void> {
  if (process.argv.includes('--stop')) return stopLocal();
  const t = Date.now();
  const em = await emulator();
  await reset(em);
  const { outputs } = await deployApp(PROJECT_ROOT, em.endpoint);
  const deployment = recordDeployment(PROJECT_ROOT, {
    endpoint: em.endpoint,
    kind: em.kind,
    stackName: `${declaration.app}-${STAGE}`,
    stage: STAGE,
    outputs,
  });

  const lines = [
    '',
    `${em.kind} at ${em.endpoint}: stage ${STAGE} deployed in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    '',
    ...routeUrls(outputs, em.endpoint).flatMap((r) => [
      `${r.method} ${r.path}`,
      `  live:    curl -s -X ${r.method} '${r.live}'`,
      `  preview: curl -s -X ${r.method} '${r.preview}'`,
    ]),
    '',
    'AWS CLI / SDK against it:',
    ...Object.entries(awsEnv(em.endpoint)).map(([k, v]) => `  export ${k}=${v}`),
    '',
    em.pid !== undefined
      ? `MiniStack keeps running (pid ${em.pid}, log ${em.logFile}). Stop it: npm run local -- --stop`
      : `Attached to AWS_ENDPOINT_URL=${em.endpoint}; nothing was started.`,
    `Integration tests against it: AWS_ENDPOINT_URL=${em.endpoint} npm run test:integration`,
    `Outputs: ${path.relative(process.cwd(), path.join(emulatorDir(PROJECT_ROOT), 'deployment.json'))} (API ${deployment.apiUrl})`,
  ];
  console.log(lines.join('\n'));
}

main().catch((error: Error) => {
  console.error(error.message);
  if (readPid() !== undefined) console.error('MiniStack is still running; stop it with: npm run local -- --stop');
  process.exit(1);
});
