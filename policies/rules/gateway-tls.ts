/**
 * TLS on every Gateway listener that faces clients. A plain-HTTP listener is tolerated only when every route
 * attached to it does nothing but redirect to https.
 */
import type { Rule, Verdict } from '../engine/rule.js';
import { block, blocks, str } from '../engine/values.js';
import { manifests, type ManifestObject } from '../kubernetes/objects.js';
import { seed } from './sources.js';

const isGatewayApi = (m: ManifestObject): boolean => m.apiVersion.startsWith('gateway.networking.k8s.io/');

/** Routes attached to a listener: parentRefs naming the gateway, with this sectionName or none (= all listeners). */
function attachedRoutes(routes: readonly ManifestObject[], gateway: ManifestObject, listener: string): ManifestObject[] {
  return routes.filter((r) =>
    blocks(block(r.body, 'spec'), 'parent_refs').some(
      (p) => str(p, 'name') === gateway.name && (str(p, 'section_name') === undefined || str(p, 'section_name') === listener),
    ),
  );
}

function redirectsToHttps(route: ManifestObject): boolean {
  const rules = blocks(block(route.body, 'spec'), 'rules');
  return (
    rules.length > 0 &&
    rules.every(
      (rule) =>
        blocks(rule, 'backend_refs').length === 0 &&
        blocks(rule, 'filters').some((f) => str(f, 'type') === 'RequestRedirect' && str(block(f, 'request_redirect'), 'scheme') === 'https'),
    )
  );
}

const listenerTls: Rule = {
  id: 'gateway.listener-tls',
  rationale: 'Clients send bearer tokens and model inputs; every client-facing Gateway listener terminates TLS.',
  sources: [seed('TLS on every Gateway listener that faces clients', 'docs/architecture.md'), { title: 'Gateway API: TLS configuration', url: 'https://gateway-api.sigs.k8s.io/guides/tls/' }],
  refs: [],
  fix: 'Use protocol HTTPS with tls.mode Terminate and a certificateRefs Secret (cert-manager); keep port 80 only for an https redirect.',
  check: (ctx) => {
    const out: Verdict[] = [];
    const routes = ctx.environmentStacks.flatMap((s) => manifests(s, 'HTTPRoute')).filter(isGatewayApi);
    for (const gw of manifests(ctx.stack, 'Gateway').filter(isGatewayApi)) {
      for (const l of blocks(block(gw.body, 'spec'), 'listeners')) {
        const name = str(l, 'name') ?? '?';
        const protocol = str(l, 'protocol') ?? '?';
        const tls = block(l, 'tls');
        const mode = str(tls, 'mode') ?? 'Terminate';
        let ok: boolean;
        let message: string;
        if (protocol === 'HTTPS' || protocol === 'TLS') {
          ok = mode === 'Passthrough' || blocks(tls, 'certificate_refs').length > 0;
          message = ok ? `${protocol} (${mode})` : `${protocol} listener without certificateRefs`;
        } else {
          const attached = attachedRoutes(routes, gw, name);
          ok = protocol === 'HTTP' && attached.length > 0 && attached.every(redirectsToHttps);
          message = ok ? 'HTTP listener only redirects to https' : `${protocol} listener without TLS${attached.length ? ` serving ${attached.map((r) => r.name).join(', ')}` : ''}`;
        }
        out.push({ resource: gw.resource.address, detail: `Gateway ${gw.name} listener ${name}`, ok, message });
      }
    }
    return out;
  },
};

export const gatewayRules: readonly Rule[] = [listenerTls];
