/** Prints which scenarios ran or were skipped; stops the MiniStack the global setup started (an attached endpoint is left as it was). */
import { stop } from './emulator';
import type { HarnessGlobal } from './global-setup';
import { printScenarioSummary } from './scenario-report';

export default async function globalTeardown(): Promise<void> {
  await printScenarioSummary();
  const emulator = (globalThis as HarnessGlobal).faasEmulator;
  if (!emulator?.pid) return;
  const t = Date.now();
  await stop(emulator);
  console.log(`[harness] stopped MiniStack (pid ${emulator.pid}) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
