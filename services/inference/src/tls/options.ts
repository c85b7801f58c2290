/**
 * Optional HTTPS for the API listener, for clusters without TLS termination at the gateway.
 *
 * TLS_CERT_FILE and TLS_KEY_FILE (PEM; the cert file may hold the chain) go together or not at all. Files are
 * re-read when they change (cert-manager rewrites the mounted Secret before expiry) and swapped in with
 * setSecureContext, so renewals need no restart.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server } from 'node:https';
import { ConfigError } from '../config.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export function tlsFilesFromEnv(env: Env): TlsFiles | undefined {
  const certFile = env.TLS_CERT_FILE?.trim();
  const keyFile = env.TLS_KEY_FILE?.trim();
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  return { certFile, keyFile };
}

/**
 * Reads and sanity-checks the PEM files. Throws the service's ConfigError (server.ts prints the message and exits 2,
 * like any other bad setting) rather than crashing with a stack trace at start.
 */
export function readTlsMaterial(files: TlsFiles): TlsMaterial {
  const read = (path: string, name: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`${name}: cannot read "${path}": ${(error as Error).message}`);
    }
  };
  const cert = read(files.certFile, 'TLS_CERT_FILE');
  const key = read(files.keyFile, 'TLS_KEY_FILE');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`TLS_CERT_FILE "${files.certFile}" holds no PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('utf8'))) {
    throw new ConfigError(`TLS_KEY_FILE "${files.keyFile}" holds no PEM private key`);
  }
  return { cert, key };
}

/** Swaps in renewed certificates; returns a function that stops watching. */
export function watchTlsMaterial(server: Server, files: TlsFiles, onError: (error: unknown) => void, intervalMs = 10_000): () => void {
  const reload = (): void => {
    try {
      server.setSecureContext({ ...readTlsMaterial(files) });
    } catch (error) {
      onError(error); // keep serving the old certificate
    }
  };
  watchFile(files.certFile, { interval: intervalMs, persistent: false }, reload);
  watchFile(files.keyFile, { interval: intervalMs, persistent: false }, reload);
  return () => {
    unwatchFile(files.certFile, reload);
    unwatchFile(files.keyFile, reload);
  };
}
