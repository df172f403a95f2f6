/**
 * The folder of the faas-platform package itself (its package.json): the compiled code runs from
 * dist/lib or dist/cli, the source (ts-node, jest) from lib/ or cli/, so it is the nearest folder
 * above the caller with a package.json. Holds dist/assets/ and templates/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function packageRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
