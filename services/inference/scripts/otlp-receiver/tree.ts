/**
 * A trace as an indented tree: each span with its duration and the attributes that say what it did, children
 * ordered by start time; spans whose parent is not in the set (a caller's remote span) are roots.
 */
import type { ReceivedSpan } from './receiver.js';

const shown = [
  'http.response.status_code',
  'inference.model',
  'inference.version',
  'inference.cache',
  'inference.batch.requests',
  'inference.batch.size',
  'inference.compute_ms',
  'inference.worker.id',
];

function describe(span: ReceivedSpan): string {
  const ms = Number(span.endNs - span.startNs) / 1e6;
  const attributes = shown.filter((k) => span.attributes[k] !== undefined).map((k) => `${k.replace(/^inference\./, '')}=${String(span.attributes[k])}`);
  const links = span.links.length > 0 ? ` links→${span.links.map((l) => l.spanId).join(',')}` : '';
  const status = span.status.code === 2 ? ` ERROR(${span.status.message})` : '';
  return `${span.name} ${ms.toFixed(2)} ms [${span.spanId}]${attributes.length ? ` ${attributes.join(' ')}` : ''}${links}${status}`;
}

export function traceTree(spans: readonly ReceivedSpan[], traceId: string): string {
  const inTrace = spans.filter((s) => s.traceId === traceId);
  const ids = new Set(inTrace.map((s) => s.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of inTrace) {
    const key = ids.has(span.parentSpanId) ? span.parentSpanId : '';
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const lines = [`trace ${traceId}`];
  const walk = (parent: string, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const remote = depth === 0 && span.parentSpanId !== '' ? ` (parent ${span.parentSpanId}, the caller's)` : '';
      lines.push(`${'  '.repeat(depth + 1)}${describe(span)}${remote}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk('', 0);
  return lines.join('\n');
}
