/**
 * The `faas` executable when its reader goes away first (`faas status | head`): exit 0 and no stack
 * trace. Runs the compiled CLI (dist/, built by `npm ci`), as a user's shell does.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/platform-fixture';

test('a closed stdout pipe ends faas quietly with exit 0', async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is not built; fix: npm run build');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'faas.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Closed before faas has started (it takes ~0.1 s), so its first write meets a broken pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
});
