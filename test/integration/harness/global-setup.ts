/**
 * Once per integration run: start MiniStack (or attach to AWS_ENDPOINT_URL), reset it, deploy
 * the app, and record the deployment for the tests. Deploying once matters: on MiniStack an
 * update deploy re-creates changed functions and wipes their versions and aliases.
 */
import declaration from '../../../faas.config';
import { deployApp, STAGE } from './deploy';
import { PROJECT_ROOT, recordDeployment } from './deployment';
import { reset, startOrAttach, stop, type Emulator } from './emulator';

/** Jest hands globals set here to the global teardown (same process), never to tests. */
export interface HarnessGlobal {
  faasEmulator?: Emulator;
}

export default async function globalSetup(): Promise<void> {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  let t = Date.now();
  const emulator = await startOrAttach(PROJECT_ROOT);
  (globalThis as HarnessGlobal).faasEmulator = emulator;
  const startMs = Date.now() - t;
  try {
    t = Date.now();
    const wiped = await reset(emulator);
    const resetMs = Date.now() - t;
    const { outputs, timings } = await deployApp(PROJECT_ROOT, emulator.endpoint);
    // As lib/platform-app.ts names it.
    const stackName = `${declaration.app}-${STAGE}`;
    const deployment = recordDeployment(PROJECT_ROOT, {
      endpoint: emulator.endpoint,
      kind: emulator.kind,
      stackName,
      stage: STAGE,
      outputs,
    });
    console.log(
      `\n[harness] ${emulator.kind} at ${emulator.endpoint} (${emulator.pid ? `started, pid ${emulator.pid}` : 'attached'}): ` +
        `start ${seconds(startMs)}, reset ${wiped ? seconds(resetMs) : 'skipped (not MiniStack)'}, ` +
        `bootstrap ${seconds(timings.bootstrapMs)}, deploy ${seconds(timings.deployMs)}; API ${deployment.apiUrl}`,
    );
  } catch (error) {
    // Jest skips the global teardown when setup fails: stop what we started here.
    await stop(emulator);
    throw error;
  }
}
