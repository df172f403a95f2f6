/**
 * A TOKEN authorizer (auth `{ kind: 'authorizer', function: 'gatekeeper' }`): API Gateway hands it
 * the Authorization header and caches its answer per token. A bearer token is allowed when its
 * SHA-256 is one of ALLOWED_TOKEN_SHA256 (comma-separated hex), so no token is ever stored in the
 * template; with none configured every token is denied. Replace `allowed` with your identity
 * provider's check (e.g. JWT verification) and keep the policy shape.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { instrumented, logger, tracer } from '../shared/powertools';

/** The digests of the accepted tokens, from "hex,hex"; a malformed entry fails the cold start, naming it. */
export function readAllowedDigests(text: string | undefined): Buffer[] {
  const entries = (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    if (!/^[0-9a-f]{64}$/i.test(entry))
      throw new Error(`ALLOWED_TOKEN_SHA256 entries must be 64 hex digits (sha256 of a token), got: "${entry.slice(0, 12)}…"`);
    return Buffer.from(entry, 'hex');
  });
}

const allowedDigests = readAllowedDigests(process.env.ALLOWED_TOKEN_SHA256);
if (allowedDigests.length === 0) logger.warn('ALLOWED_TOKEN_SHA256 is not set: every token is denied');

/** The bearer token of an Authorization header, if it has one. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer ([\x21-\x7E]{8,4096})$/.exec(header ?? '')?.[1];
}

export function allowed(token: string, digests: readonly Buffer[]): boolean {
  const digest = createHash('sha256').update(token).digest();
  // Every digest is compared, in constant time, so timing does not tell how close a guess was.
  return digests.reduce((match, d) => timingSafeEqual(d, digest) || match, false);
}

/**
 * The policy covers every method of the stage, not just the one called: API Gateway caches the
 * answer per token and reuses it for the token's next request, whichever route that is.
 */
export function policy(effect: 'Allow' | 'Deny', methodArn: string, principalId: string): APIGatewayAuthorizerResult {
  // arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>
  const [api, stage] = methodArn.split('/');
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: `${api}/${stage}/*` }] },
  };
}

export const handler = instrumented(async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = bearerToken(event.authorizationToken);
  // API Gateway's documented way to answer 401 (no or malformed credentials), as opposed to 403.
  if (!token) throw new Error('Unauthorized');
  const ok = allowed(token, allowedDigests);
  const effect = ok ? 'Allow' : 'Deny';
  logger.info('authorized', { effect });
  tracer.putAnnotation('Effect', effect);
  const principal = ok ? `token-${createHash('sha256').update(token).digest('hex').slice(0, 12)}` : 'anonymous';
  return policy(effect, event.methodArn, principal);
});
