/**
 * One build per distinct declaration in a test file: a file asking for the same app ten times
 * builds it once. Its templates are taken when it is built, so what one test adds to a shared
 * stack afterwards never shows in another test's template.
 */
export interface SharedBuild<A extends unknown[], T> {
  (...args: A): T;
  /** Always a new build: for a test that compares two builds of the same declaration. */
  readonly fresh: (...args: A) => T;
}

export function sharedBuilds<A extends unknown[], T>(
  make: (...args: A) => T,
  keyOf: (...args: A) => string | undefined,
): SharedBuild<A, T> {
  const builds = new Map<string, T>();
  const shared = (...args: A): T => {
    const key = keyOf(...args);
    if (key === undefined) return make(...args);
    const known = builds.get(key);
    if (known !== undefined) return known;
    const built = make(...args);
    builds.set(key, built);
    return built;
  };
  return Object.assign(shared, { fresh: make });
}
