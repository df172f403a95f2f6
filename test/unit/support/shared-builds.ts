/**
 * One build per distinct declaration in a test file: the build comes back synthesized, so no
 * test can change what another sees, and a file asking for the same app ten times builds it once.
 */
export function sharedBuilds<A extends unknown[], T>(make: (...args: A) => T, keyOf: (...args: A) => string | undefined): (...args: A) => T {
  const builds = new Map<string, T>();
  return (...args: A): T => {
    const key = keyOf(...args);
    if (key === undefined) return make(...args);
    const known = builds.get(key);
    if (known !== undefined) return known;
    const built = make(...args);
    builds.set(key, built);
    return built;
  };
}
