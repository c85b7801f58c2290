/**
 * Result cache on the inference routes.
 *
 * preHandler: compute the key (tenant, model, served version, canonical request) and answer from the cache on a hit.
 * onSend: store successful computed answers (JSON, or the binary tensor data extension's header + binary outputs). A request opts out with the V2 request parameter
 * `"parameters": {"cache": false}` (neither read nor written). Every answer says what happened in the
 * `x-inference-cache` header: hit, miss, bypass (opted out or not cacheable).
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { isGenerateRoute, modelParams, routeKind } from '../auth/route-policy.js';
import { newCompletionId } from '../generation/completion-id.js';
import type { VersionResolver } from '../metrics/plugin.js';
import { CanonicalizationError } from './canonical.js';
import { generateCacheable, generateCacheKey, isOpenAiRoute } from './generate-key.js';
import { cacheKey } from './key.js';
import { inferenceHeaderLength } from '../protocol/binary-body.js';
import { cutBinaryId, cutId, decodeTemplate, encodeTemplate, spliceBinaryId, spliceId } from './response-template.js';
import type { CacheScope, ResultCache } from './result-cache.js';

export interface CachePluginOptions {
  readonly cache: ResultCache;
  readonly hmacKey: Buffer;
  readonly resolveVersion: VersionResolver;
}

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

declare module 'fastify' {
  interface FastifyRequest {
    /** Cache outcome of an inference call, for the audit record. */
    cacheOutcome?: CacheOutcome;
  }
}

interface Pending {
  readonly key: string;
  readonly scope: CacheScope;
  readonly id: string | undefined;
  /** OpenAI routes: the answer's completion id is cut out and a fresh one spliced into each hit. */
  readonly completion?: 'completion' | 'chat';
  /** The model as labelled (OpenAI routes name it in the body). */
  readonly model: string;
}

function bodyOf(request: FastifyRequest): Record<string, unknown> | undefined {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** Rows a cached request asked for: dimension 0 of its first input (it was validated when first answered). */
function requestedRows(body: Record<string, unknown>): number {
  const first = Array.isArray(body.inputs) ? (body.inputs[0] as { shape?: unknown } | undefined) : undefined;
  const rows = Array.isArray(first?.shape) ? first.shape[0] : undefined;
  return typeof rows === 'number' && Number.isSafeInteger(rows) && rows > 0 ? rows : 1;
}

function optedOut(body: Record<string, unknown>): boolean {
  const params = body.parameters;
  return typeof params === 'object' && params !== null && (params as Record<string, unknown>).cache === false;
}

const cachePlugin: FastifyPluginAsync<CachePluginOptions> = async (app, opts) => {
  const pending = new WeakMap<FastifyRequest, Pending>();

  app.addHook('preHandler', async (request, reply) => {
    if (routeKind(request.routeOptions.url) !== 'infer') return;
    request.cacheOutcome = 'bypass';
    reply.header('x-inference-cache', 'bypass');
    const body = bodyOf(request);
    if (body === undefined || optedOut(body)) return;
    const pattern = request.routeOptions.url ?? '';
    const generate = isGenerateRoute(pattern);
    const openAi = generate && isOpenAiRoute(pattern);
    const { model, version } = openAi ? { model: typeof body.model === 'string' ? body.model : undefined, version: undefined } : modelParams(request.params);
    if (model === undefined || (generate && !generateCacheable(pattern, body))) return;
    const served = opts.resolveVersion(model, version);
    if (served === undefined || (body.id !== undefined && typeof body.id !== 'string')) return;
    const id = openAi ? undefined : (body.id as string | undefined);
    const scope: CacheScope = { tenant: request.principal?.partition ?? request.principal?.tenant ?? '', model, version: served };
    const completion = openAi ? (pattern === '/v1/chat/completions' ? 'chat' : 'completion') : undefined;
    let key: string;
    try {
      key = generate
        ? generateCacheKey(opts.hmacKey, { ...scope, route: pattern, body })
        : cacheKey(opts.hmacKey, { ...scope, body, withId: id !== undefined });
    } catch (error) {
      if (error instanceof CanonicalizationError) return; // malformed: the handler answers 400
      throw error;
    }
    const record = await opts.cache.get(key, scope);
    const template = record === undefined ? undefined : decodeTemplate(record);
    if (template !== undefined) {
      request.cacheOutcome = 'hit';
      // The metrics plugin could not read a body model at onRequest; the served version is the number before '@'.
      if (openAi) request.inferenceLabels = { model, version: served.split('@')[0] as string };
      // Usage (src/usage): the tenant received these rows, at no worker time.
      request.usage = { items: requestedRows(body), computeSeconds: 0 };
      reply.header('x-inference-cache', 'hit');
      if (template.tail !== undefined) {
        // A binary tensor data answer: the id changes the JSON header's length.
        const binary = spliceBinaryId(template, id);
        return reply.type('application/octet-stream').header(inferenceHeaderLength, String(binary.headerLength)).send(binary.body);
      }
      return reply.type('application/json; charset=utf-8').send(spliceId(template, completion ? newCompletionId(completion) : id));
    }
    request.cacheOutcome = 'miss';
    reply.header('x-inference-cache', 'miss');
    pending.set(request, { key, scope, id, model, ...(completion && { completion }) });
  });

  // Admin: drop every cached answer (after a model fix that kept its version number, for example).
  app.post('/v2/admin/cache/purge', async () => ({ purged: await opts.cache.store.purge() }));

  app.addHook('onSend', async (request, reply, payload) => {
    const entry = pending.get(request);
    if (entry === undefined || reply.statusCode !== 200) return payload;
    // A generation cut short (the client went away) still answers its partial text; it must not become the answer.
    if (request.generationOutcome?.cancelled === true || request.raw.aborted) {
      pending.delete(request);
      return payload;
    }
    const binaryHeader = reply.getHeader(inferenceHeaderLength);
    const isBinary = Buffer.isBuffer(payload) && binaryHeader !== undefined;
    if (typeof payload !== 'string' && !isBinary) return payload;
    pending.delete(request);
    // A model reload may have swapped the version's bytes between the lookup (a Redis round trip) and the handler:
    // store only while the key still names the model that is served, or the old fingerprint would get the new answer.
    const version = entry.completion ? undefined : modelParams(request.params).version;
    if (opts.resolveVersion(entry.model, version) !== entry.scope.version) return payload;
    const template = isBinary
      ? cutBinaryId(payload as Buffer, Number(binaryHeader), entry.id)
      : cutId(payload as string, entry.completion ? request.completionId : entry.id);
    if (template !== undefined) void opts.cache.set(entry.key, entry.scope, encodeTemplate(template));
    return payload;
  });
};

export default fp(cachePlugin, { name: 'inference-cache', fastify: '5.x' });
