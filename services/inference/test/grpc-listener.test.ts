/**
 * The gRPC listener's life: TLS from TLS_CERT_FILE/TLS_KEY_FILE, the message size limit, and the drain — calls in
 * flight when it begins finish OK, calls after it get UNAVAILABLE, and the listener is closed at the end.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { AdmissionGate, overloadMessage } from '../src/limits/admission-gate.js';
import { installShutdown } from '../src/shutdown/drain.js';
import { grpcClient } from './production-support/grpc-client.js';
import { demoInfer, realService } from './production-support/real-service.js';

const dir = mkdtempSync(join(tmpdir(), 'grpc-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const grpcInfer = (seed: number) => ({
  model_name: 'demo',
  parameters: { cache: { bool_param: false } },
  inputs: demoInfer(seed).inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, contents: { int64_contents: t.data } })),
});

describe('gRPC listener', () => {
  it('serves TLS with the service certificate, refuses plaintext, and serves a renewed certificate without a restart', async () => {
    const makeCert = (name: string) => {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
        '-subj', `/CN=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
      return { cert, key };
    };
    const first = makeCert('first');
    const second = makeCert('second');
    const live = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
    copyFileSync(first.cert, live.cert);
    copyFileSync(first.key, live.key);
    const { app } = await realService({ AUTH_MODE: 'none', TLS_CERT_FILE: live.cert, TLS_KEY_FILE: live.key }, undefined, { grpcEnabled: true, grpcPort: 0 });
    const port = await app.grpc!.listen();
    // A fresh channel per attempt: a channel keeps its TLS session once established.
    const liveWith = async (caFile: string): Promise<number> => {
      const c = grpcClient(`localhost:${port}`, credentials.createSsl(readFileSync(caFile)));
      try {
        return await c.call('ServerLive', {}).then(() => Status.OK, (e: ServiceError) => e.code);
      } finally {
        c.close();
      }
    };
    const secure = grpcClient(`localhost:${port}`, credentials.createSsl(readFileSync(first.cert)));
    const plain = grpcClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      expect((await secure.call('ServerLive', {})).message).toEqual({ live: true });
      expect((await secure.call('ModelReady', { name: 'demo' })).message).toEqual({ ready: true });
      expect((await plain.fail('ServerLive', {})).code).toBe(Status.UNAVAILABLE);
      expect(await liveWith(second.cert)).toBe(Status.UNAVAILABLE);
      // cert-manager rewrites the Secret: the listener re-reads the files (every 10 s) and serves the new certificate.
      copyFileSync(second.key, live.key);
      copyFileSync(second.cert, live.cert);
      let outcome = Status.UNAVAILABLE;
      for (let i = 0; i < 60 && outcome !== Status.OK; i++) {
        await new Promise((r) => setTimeout(r, 500));
        outcome = await liveWith(second.cert);
      }
      expect(outcome).toBe(Status.OK);
    } finally {
      secure.close();
      plain.close();
      await app.close();
    }
  }, 60_000);

  it('refuses a message larger than BODY_LIMIT_BYTES with RESOURCE_EXHAUSTED', async () => {
    const { app } = await realService({ AUTH_MODE: 'none' }, undefined, { grpcEnabled: true, grpcPort: 0, bodyLimitBytes: 64 * 1024 });
    const client = grpcClient(`127.0.0.1:${await app.grpc!.listen()}`);
    try {
      const big = { model_name: 'demo', inputs: [{ name: 'input_ids', datatype: 'INT64', shape: [1, 10_000] }], raw_input_contents: [Buffer.alloc(80_000)] };
      const error = await client.fail('ModelInfer', big);
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(error.details).toMatch(/larger than max/);
      expect((await client.call('ModelInfer', grpcInfer(1))).message).toMatchObject({ model_name: 'demo' });
    } finally {
      client.close();
      await app.close();
    }
  });

  it('shares MAX_INFLIGHT_REQUESTS with HTTP: beyond it a call gets UNAVAILABLE, counted as shed', async () => {
    let shed = 0;
    const gate = new AdmissionGate({ maxInflight: 1, onReject: () => shed++ });
    const { app } = await realService({ AUTH_MODE: 'none', CACHE_ENABLED: 'false', FAULT_DELAY_MS: '400' }, undefined, { grpcEnabled: true, grpcPort: 0 }, { gate });
    const client = grpcClient(`127.0.0.1:${await app.grpc!.listen()}`);
    try {
      const first = client.call('ModelInfer', grpcInfer(1));
      for (let i = 0; i < 200 && gate.inflight < 1; i++) await new Promise((r) => setTimeout(r, 5));
      const refused = await client.fail('ModelInfer', grpcInfer(2));
      expect([refused.code, refused.details]).toEqual([Status.UNAVAILABLE, overloadMessage]);
      expect(shed).toBe(1);
      await first;
      expect(gate.inflight).toBe(0);
      expect((await client.call('ModelInfer', grpcInfer(3))).message).toMatchObject({ model_name: 'demo' });
    } finally {
      client.close();
      await app.close();
    }
  });

  it('drains: calls in flight finish OK, later calls get UNAVAILABLE, then the listener closes', async () => {
    // FAULT_DELAY_MS holds every infer call for 600 ms inside the pipeline, so calls are surely in flight at the signal.
    const { app, production } = await realService({ AUTH_MODE: 'none', CACHE_ENABLED: 'false', FAULT_DELAY_MS: '600' }, undefined, { grpcEnabled: true, grpcPort: 0 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const client = grpcClient(`127.0.0.1:${await app.grpc!.listen()}`);
    const exits: number[] = [];
    const drain = installShutdown({ app, state: production.drain, timeoutSeconds: 20, exit: (code) => exits.push(code), signals: [] });
    try {
      const inFlight = [1, 2, 3].map((seed) => client.call('ModelInfer', grpcInfer(seed)).then(() => 'OK', (e: ServiceError) => Status[e.code]));
      // Admitted: the drain counts them in flight once the pipeline has them (the fault delay holds them there).
      for (let i = 0; i < 200 && (production.drain.inflight ?? 0) < 3; i++) await new Promise((r) => setTimeout(r, 10));
      expect(production.drain.inflight).toBe(3);
      const drained = drain('SIGTERM');
      const refused = await client.fail('ModelInfer', grpcInfer(4));
      expect([refused.code, refused.details]).toEqual([Status.UNAVAILABLE, 'shutting down: retry on another replica']);
      expect((await client.call('ServerReady', {})).message).toEqual({ ready: false });
      expect(await Promise.all(inFlight)).toEqual(['OK', 'OK', 'OK']);
      await drained;
      expect(exits).toEqual([0]);
      // The listener is gone: a new call cannot connect.
      expect((await client.fail('ServerLive', {})).code).toBe(Status.UNAVAILABLE);
    } finally {
      client.close();
      if (exits.length === 0) await app.close();
    }
  });
});
