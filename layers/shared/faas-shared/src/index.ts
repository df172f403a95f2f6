/**
 * @faas-platform/shared — shipped in the `shared` layer at /opt/nodejs/node_modules.
 * Functions keep it external in their bundles, so a change here ships as a layer
 * version (and, through the layer, a new function version) without rebundling them.
 */

/** Identifies this build of the package; the hello function echoes it to prove where it was loaded from. */
export const SHARED_LAYER_MARK = 'faas-shared@1';

/** A greeting that is safe to echo: trimmed, collapsed whitespace, at most 64 characters. */
export function greet(greeting: string, name: string): string {
  const clean = name.trim().replace(/\s+/g, ' ').slice(0, 64);
  return `${greeting}, ${clean}!`;
}

/** Reads a named query parameter and checks it, so every function answers bad input the same way. */
export function readName(
  query: Readonly<Record<string, string | undefined>> | null | undefined,
  fallback: string,
): { ok: true; name: string } | { ok: false; message: string } {
  const raw = query?.name;
  if (raw === undefined) return { ok: true, name: fallback };
  if (raw.trim().length === 0) return { ok: false, message: 'query parameter "name" must not be empty' };
  if (raw.length > 64) return { ok: false, message: 'query parameter "name" must be at most 64 characters' };
  if (!/^[\p{L}\p{N} .'-]+$/u.test(raw)) {
    return { ok: false, message: 'query parameter "name" may contain letters, digits, spaces and . \' - only' };
  }
  return { ok: true, name: raw };
}
