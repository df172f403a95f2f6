/** Stops the MiniStack the global setup started; an attached endpoint is left as it was. */
import { stop } from './emulator';
import type { HarnessGlobal } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const emulator = (globalThis as HarnessGlobal).faasEmulator;
  if (!emulator?.pid) return;
  const t = Date.now();
  await stop(emulator);
  console.log(`[harness] stopped MiniStack (pid ${emulator.pid}) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
