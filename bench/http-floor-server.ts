/**
 * Child process of `waymark bench http-breakdown`: the floors a routing request cannot go below on
 * this machine. `node`: a bare node:http server that reads the body and answers a fixed route
 * answer; `fastify`: a bare Fastify (no hooks, no schema, no logger) that parses the JSON body and
 * answers the same text. Prints `{"address": ...}` once listening.
 */
import { createServer } from 'node:http';
import Fastify from 'fastify';

const [mode, answer = '{}'] = process.argv.slice(2);

if (mode === 'node') {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      JSON.parse(body || '{}');
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) }).end(answer);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ address: `http://127.0.0.1:${(server.address() as { port: number }).port}` }) + '\n'));
} else if (mode === 'fastify') {
  const app = Fastify();
  app.post('/route', async (_request, reply) => reply.type('application/json').send(answer));
  app.get('/route/v1/:profile/:coordinates', async (_request, reply) => reply.type('application/json').send(answer));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(JSON.stringify({ address }) + '\n');
} else {
  process.stderr.write('usage: http-floor-server node|fastify [answer]\n');
  process.exit(2);
}
