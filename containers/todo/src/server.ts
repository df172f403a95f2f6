/**
 * Process entry: reads its settings from the environment, serves the todo API, and shuts down
 * gracefully on SIGTERM (Lambda sends it before recycling an instance; so do Docker and FC):
 * stop accepting connections, finish the requests in flight, exit 0.
 *
 *   PORT             port to listen on (the platform sets it from the declaration's `port`)
 *   LISTEN_HOST      interface to bind               default 0.0.0.0
 *   TODO_BUCKET      S3 bucket holding the todos     required
 *   FAAS_BASE_PATHS  prefixes to strip, comma-separated (set by the platform)   default /todo
 *   SHUTDOWN_TIMEOUT_MS  how long in-flight requests may take after SIGTERM     default 5000
 *   AWS_ENDPOINT_URL(_S3)  another S3 endpoint (an emulator); path-style addressing then
 */
import { createServer } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { createTodoApp, type Log } from './app';
import { S3TodoStore } from './todo-store';

const log: Log = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
};

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value.trim() === '') {
    log('error', `${name} is not set; the server cannot start`);
    process.exit(1);
  }
  return value;
}

const port = Number(setting('PORT', '8080'));
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  log('error', `PORT must be a whole number from 1 to 65535, got "${process.env.PORT}"`);
  process.exit(1);
}
const host = setting('LISTEN_HOST', '0.0.0.0');
const bucket = setting('TODO_BUCKET');
const basePaths = setting('FAAS_BASE_PATHS', '/todo')
  .split(',')
  .map((p) => p.trim().replace(/\/+$/, ''))
  .filter((p) => p.startsWith('/'))
  .sort((a, b) => b.length - a.length);
const shutdownTimeoutMs = Number(setting('SHUTDOWN_TIMEOUT_MS', '5000'));

// Emulators answer on one host: bucket names go in the path, not in the host name.
const customEndpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
const s3 = new S3Client({ forcePathStyle: customEndpoint !== undefined });
const app = createTodoApp({ store: new S3TodoStore(s3, bucket), basePaths, log });

let stopping = false;
const server = createServer((req, res) => {
  // Keep-alive clients must not send more on this connection once we are stopping.
  if (stopping) res.setHeader('connection', 'close');
  // A request that was in flight at SIGTERM leaves an idle keep-alive socket: close it at once.
  res.on('finish', () => stopping && setImmediate(() => server.closeIdleConnections()));
  app(req, res);
});
server.on('clientError', (_error, socket) => {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
});
server.listen(port, host, () => log('info', 'listening', { host, port, bucket, basePaths }));

function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  log('info', 'stopping: no new connections, finishing requests in flight', { signal });
  const deadline = setTimeout(() => {
    log('error', 'requests still in flight at the shutdown deadline; exiting', { shutdownTimeoutMs });
    process.exit(1);
  }, shutdownTimeoutMs);
  deadline.unref();
  server.close((error) => {
    s3.destroy();
    log(error ? 'error' : 'info', 'stopped', error ? { error: error.message } : {});
    process.exit(error ? 1 : 0);
  });
  server.closeIdleConnections();
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
