/**
 * Calling the deployment's protected routes as their callers would: with the usage plan's API key
 * (the `ApiKeyId` output, its value from API Gateway), with a SigV4-signed request (iam routes),
 * or with a bearer token (the gatekeeper authorizer; dev's token is in faas.config.ts's comment).
 */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { API_KEY_HEADER, describeAuth, type AuthDeclaration } from '../../../lib/declaration/auth';

export { describeAuth };
import { allOutputs, type Deployment } from './deployment';
import { REGION } from './emulator';

export { API_KEY_HEADER };
/** The dev stage's team token: faas.config.ts lists its SHA-256 for the gatekeeper. */
export const DEV_TEAM_TOKEN = 'dev-team-token-0001';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The value of the deployment's API key (the ApiKeyId output), as `aws apigateway get-api-key --include-value` gives it. */
export async function apiKeyValue(deployment: Pick<Deployment, 'outputs' | 'stackName' | 'endpoint'>): Promise<string> {
  const id = allOutputs(deployment).ApiKeyId;
  if (!id)
    throw new Error(
      `the deployment has no ApiKeyId output (outputs: ${Object.keys(allOutputs(deployment)).join(', ')}); ` +
        'is any route declared auth apiKey?',
    );
  const client = new APIGatewayClient({ endpoint: deployment.endpoint, region: REGION, credentials: CREDENTIALS });
  try {
    const key = await client.send(new GetApiKeyCommand({ apiKey: id, includeValue: true }));
    if (!key.value) throw new Error(`GetApiKey ${id} returned no value`);
    return key.value;
  } finally {
    client.destroy();
  }
}

/** A GET signed with SigV4 for execute-api, as an IAM caller sends it. */
export async function signedGet(url: string): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'execute-api', sha256: Hash.bind(null, 'sha256') });
  const request: HttpRequest = {
    method: 'GET',
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port ? Number(target.port) : undefined,
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { host: target.host },
  };
  const signed = await signer.sign(request);
  return fetch(url, { headers: signed.headers });
}

/** What a curl line for a route needs besides its URL. */
export interface CallContext {
  /** The usage plan's key value, when the deployment has one. */
  readonly apiKey?: string;
  readonly apiKeyId?: string;
  readonly endpoint: string;
}

/** A curl line that gets through the route's auth: its key, a SigV4 signature, a token. */
export function curlLine(method: string, url: string, auth: AuthDeclaration | undefined, context: CallContext): string {
  const body = ['POST', 'PUT', 'PATCH'].includes(method) ? ` -H 'content-type: application/json' -d '<JSON body>'` : '';
  const base = `curl -s -X ${method} '${url}'${body}`;
  switch (auth?.kind) {
    case 'apiKey':
      return context.apiKey
        ? `${base} -H '${API_KEY_HEADER}: ${context.apiKey}'   # the usage plan's key ` +
            `(aws apigateway get-api-key --api-key ${context.apiKeyId} --include-value)`
        : `${base} -H '${API_KEY_HEADER}: <key>'   # the deployment has no ApiKeyId output`;
    case 'iam':
      return (
        `${base} --aws-sigv4 'aws:amz:${REGION}:execute-api' --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"` +
        '   # SigV4, with the exports below'
      );
    case 'authorizer':
      return auth.function === 'gatekeeper'
        ? `${base} -H 'Authorization: Bearer ${DEV_TEAM_TOKEN}'   # dev's team token (gatekeeper allows its SHA-256)`
        : `${base} -H 'Authorization: <what authorizer "${auth.function}" accepts>'`;
    case 'cognito':
      return `${base} -H 'Authorization: <ID or access token of a user of ${auth.userPoolArn}>'`;
    default:
      return base;
  }
}
