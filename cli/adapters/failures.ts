/**
 * Failures the adapters report: a conflicting alias write, or any other AWS error, each as one
 * line plus the fix. Commands map them to exit codes (docs/cli.md).
 */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class AwsError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** Wraps an SDK error as an AwsError naming the call; the fix depends on the error's name. */
export function awsFailure(call: string, error: unknown): AwsError {
  const e = error as { name?: string; message?: string };
  const name = e.name ?? 'Error';
  const fixes: Record<string, string> = {
    AccessDeniedException: 'grant this identity the permission named above, or use a profile that has it',
    AccessDenied: 'grant this identity the permission named above, or use a profile that has it',
    ExpiredTokenException: 'refresh your AWS credentials (aws sso login, or a new session)',
    CredentialsProviderError: 'configure AWS credentials (AWS_PROFILE, aws sso login) or AWS_ENDPOINT_URL for an emulator',
    ThrottlingException: 'retry in a moment; lower --poll if this repeats',
    TooManyRequestsException: 'retry in a moment; lower --poll if this repeats',
  };
  return new AwsError(
    `${call} failed: ${name}: ${e.message ?? String(error)}`,
    fixes[name] ?? 'check the AWS error above, the region (AWS_REGION) and the endpoint (AWS_ENDPOINT_URL)',
  );
}
