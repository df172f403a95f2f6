/**
 * Bad input: a value the user typed (or the alias state) that the CLI refuses before it changes
 * anything. The message names the value; `fix` says what to do instead.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}
