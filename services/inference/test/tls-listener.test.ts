/** Optional HTTPS listener with a self-signed certificate made by openssl in the test; renewal without restart. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { readTlsMaterial, tlsFilesFromEnv, watchTlsMaterial } from '../src/tls/options.js';

const dir = mkdtempSync(join(tmpdir(), 'tls-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeCert(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function get(port: number, ca: Buffer): Promise<{ status: number; body: string; subject: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v2/health/live', ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        resolve({ status: res.statusCode ?? 0, body, subject: String(peer.subject?.CN) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS listener', () => {
  it('serves HTTPS from TLS_CERT_FILE/TLS_KEY_FILE and swaps in a renewed certificate', async () => {
    const first = makeCert('first');
    const second = makeCert('second');
    const live = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    copyFileSync(first.cert, live.certFile);
    copyFileSync(first.key, live.keyFile);
    const files = tlsFilesFromEnv({ TLS_CERT_FILE: live.certFile, TLS_KEY_FILE: live.keyFile })!;
    const app = Fastify({ https: readTlsMaterial(files) });
    app.get('/v2/health/live', async () => ({ live: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const stop = watchTlsMaterial(app.server as Server, files, () => {}, 50);
    try {
      const ok = await get(port, readTlsMaterial(files).cert);
      expect(ok).toEqual({ status: 200, body: '{"live":true}', subject: 'first' });
      copyFileSync(second.key, live.keyFile);
      copyFileSync(second.cert, live.certFile);
      const secondCa = readTlsMaterial({ certFile: second.cert, keyFile: second.key }).cert;
      let subject = '';
      for (let i = 0; i < 40 && subject !== 'second'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        subject = await get(port, secondCa).then((r) => r.subject, () => '');
      }
      expect(subject).toBe('second');
    } finally {
      stop();
      await app.close();
    }
  });

  it('refuses half or unreadable configurations with the variable name', () => {
    expect(tlsFilesFromEnv({})).toBeUndefined();
    expect(() => tlsFilesFromEnv({ TLS_CERT_FILE: '/x.crt' })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE must be set together/);
    expect(() => readTlsMaterial({ certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'missing.key') })).toThrow(/TLS_CERT_FILE: cannot read/);
    // A ConfigError: server.ts prints it and exits 2 instead of crashing with a stack trace.
    expect(() => readTlsMaterial({ certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'missing.key') })).toThrow(ConfigError);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'hello');
    expect(() => readTlsMaterial({ certFile: junk, keyFile: junk })).toThrow(/holds no PEM certificate/);
  });
});
