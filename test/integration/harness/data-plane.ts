/**
 * From the URLs a deploy reports (AWS style, `https://{id}.execute-api.{region}.{suffix}/{stage}/…`)
 * to the emulator's API Gateway data plane, `{endpoint}/_aws/execute-api/{id}/{stage}/…`, which
 * MiniStack and LocalStack both serve without wildcard DNS.
 */
import { API_ENDPOINT_OUTPUT, LEGACY_API_ENDPOINT_OUTPUT, PREVIEW_PREFIX } from '../../../lib/contract';
import type { StackOutputs } from './deploy';

const EXECUTE_API = /^https?:\/\/([^./]+)\.execute-api\.[^/]+\/([^/?#]+)(\/[^?#]*)?(\?[^#]*)?$/;

export function dataPlaneUrl(awsUrl: string, endpoint: string): string {
  const match = EXECUTE_API.exec(awsUrl.trim());
  if (!match) throw new Error(`not an API Gateway stage URL: ${awsUrl} (expected https://{id}.execute-api.{region}.{suffix}/{stage}/…)`);
  const [, apiId, stage, rest = '/', query = ''] = match;
  return `${endpoint.replace(/\/+$/, '')}/_aws/execute-api/${apiId}/${stage}${rest}${query}`;
}

/** Keys of the API stage URL outputs, ApiEndpoint first (HttpApiEndpoint is its deprecated old name). */
function endpointKeys(outputs: Record<string, string>): string[] {
  const keys = Object.keys(outputs);
  const preferred = keys.filter((k) => k.startsWith(API_ENDPOINT_OUTPUT));
  return preferred.length > 0 ? preferred : keys.filter((k) => k.startsWith(LEGACY_API_ENDPOINT_OUTPUT));
}

/** The stack's REST API base URL on the data plane (output ApiEndpoint, else the older HttpApiEndpoint). */
export function apiBaseUrl(outputs: Record<string, string>, endpoint: string): string {
  const keys = endpointKeys(outputs);
  if (keys.length !== 1) {
    throw new Error(
      `expected one ${API_ENDPOINT_OUTPUT} (or ${LEGACY_API_ENDPOINT_OUTPUT}) output, got: ${keys.join(', ') || 'none'} ` +
        `(outputs: ${Object.keys(outputs).join(', ')})`,
    );
  }
  return dataPlaneUrl(outputs[keys[0]], endpoint);
}

export interface RouteUrls {
  readonly method: string;
  readonly path: string;
  /** Through the function's `live` alias. */
  readonly live: string;
  /** Through its `preview` alias. */
  readonly preview: string;
}

/**
 * Every declared route, from the `Routes-<function>` outputs ("GET https://…/hello | POST …"),
 * with its /preview twin.
 */
export function routeUrls(outputs: StackOutputs, endpoint: string): RouteUrls[] {
  const routes: RouteUrls[] = [];
  // The stage URL is the API stack's output; the routes are the function stacks'.
  const withEndpoint = Object.values(outputs).find((o) => endpointKeys(o).length > 0);
  if (!withEndpoint) return routes;
  const base = apiBaseUrl(withEndpoint, endpoint);
  for (const stackOutputs of Object.values(outputs)) {
    for (const [key, value] of Object.entries(stackOutputs)) {
      if (!key.startsWith('Routes')) continue;
      for (const entry of value
        .split('|')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const [method, url] = entry.split(/\s+/, 2);
        const live = dataPlaneUrl(url, endpoint);
        const path = `/${live.slice(base.length).replace(/^\/+/, '')}`;
        routes.push({
          method,
          path,
          live,
          preview: `${base.replace(/\/+$/, '')}${path === '/' ? PREVIEW_PREFIX : `${PREVIEW_PREFIX}${path}`}`,
        });
      }
    }
  }
  return routes;
}
