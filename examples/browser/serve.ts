// A static file server for the built demo, on 127.0.0.1 only (node:http, GET and HEAD, no directory
// listings, nothing outside the folder).
//   node dist/examples/browser/serve.js [--dir examples/browser/dist] [--port 8080]
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.htafb': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1:`port` (0: a free port); resolves once it listens. */
export function serveStatic(dir: string, port = 0): Promise<StaticServer> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const fail = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    };
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return fail(400, 'a malformed path');
    }
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'only GET and HEAD');
    if (file !== root && !file.startsWith(root + sep)) return fail(403, 'outside the served folder');
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return fail(404, 'not a file');
      size = st.size;
    } catch {
      return fail(404, `no ${path}`);
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      resolvePromise({
        url: `http://127.0.0.1:${actual}/`,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, port: { type: 'string' } }, strict: true });
  const dir = values.dir ?? join(import.meta.dirname, '../../../examples/browser/dist');
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`serve: --port must be 0-65535; got ${values.port}`);
  try {
    if (!statSync(join(dir, 'index.html')).isFile()) throw new Error();
  } catch {
    throw new Error(`serve: no ${join(dir, 'index.html')}; build the demo first (node dist/examples/browser/build.js --model RUN/model.htafb)`);
  }
  const s = await serveStatic(dir, port);
  console.log(`serving ${resolve(dir)} at ${s.url} (127.0.0.1 only; Ctrl-C stops)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
