/**
 * Name helpers the declaration and the CLI share, without zod: the CLI checks the names a command
 * names before any AWS call and must start in a fraction of a second.
 */
import { closest, distance } from 'fastest-levenshtein';

/**
 * The known name nearest to a misspelt one: the same name in another case, else the closest within
 * a third of its length in edits (at least 2), else one sharing its first half (healthcheck → healthPath).
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = name.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const best = closest(name, [...known]);
  if (distance(name, best) <= Math.max(2, Math.floor(name.length / 3))) return best;
  const prefix = (k: string) => {
    let i = 0;
    while (i < Math.min(k.length, lower.length) && k[i].toLowerCase() === lower[i]) i++;
    return i;
  };
  const shared = [...known].sort((a, b) => prefix(b) - prefix(a))[0];
  return prefix(shared) >= Math.max(4, Math.ceil(Math.min(shared.length, name.length) / 2)) ? shared : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
