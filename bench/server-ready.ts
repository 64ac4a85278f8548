import type { ChildProcess } from 'node:child_process';

/**
 * The base URL a `waymark serve --port 0` child (log level info) listens on, once its log says it is
 * ready. Rejects when the child exits first or after `timeoutMs`; stopping it and cleaning up is the
 * caller's. The child's stdout keeps being drained (request log lines are not needed).
 */
export function serverReady(child: ChildProcess, timeoutMs: number, what = 'server'): Promise<string> {
  let out = '';
  let ready = false;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not become ready: ${out.slice(-2000)}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${what} exited (${code}) before it was ready: ${out.slice(-2000)}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      if (ready) return;
      out += d.toString();
      const m = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m && out.includes('"msg":"ready"')) {
        ready = true;
        clearTimeout(timer);
        out = '';
        resolve(m[1]);
      }
      if (out.length > 1 << 20) out = out.slice(-4096);
    });
  });
}
