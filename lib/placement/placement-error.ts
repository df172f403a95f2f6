/** Why functions cannot be placed, or the placement record cannot be used: every problem with its fix. */
export class PlacementError extends Error {
  constructor(
    readonly deployment: string,
    readonly problems: readonly string[],
  ) {
    super(
      `faas placement of ${deployment}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'PlacementError';
  }
}
