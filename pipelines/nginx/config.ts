/**
 * The route model rendered as an NGINX configuration: the local twin of the `gateway: 'nginx'` environments
 * (NGINX Gateway Fabric programs NGINX from the HTTPRoute in the cluster). Same weight and pin semantics as the
 * HAProxy rendering, but open-source NGINX has no runtime API, so a weight change means a reload; that is why the
 * rehearsal drives HAProxy. `split_clients` hashes a random request id, so the split is statistical, not exact.
 */
import { join } from 'node:path';
import { validateRouteModel, type CanaryRouteModel } from '../../stacks/components/gateway/route-model.js';

export interface NginxRenderOptions {
  readonly route: CanaryRouteModel;
  readonly listenPort: number;
  /** Folder for the pid file, logs and temp paths, so the config runs without root. */
  readonly prefix: string;
  readonly backendHost?: string;
}

export function renderNginxConfig(o: NginxRenderOptions): string {
  const route = validateRouteModel(o.route);
  const host = o.backendHost ?? '127.0.0.1';
  const pinVariable = `$http_${route.pinHeader.name.toLowerCase().replace(/-/g, '_')}`;
  const split =
    route.canaryWeight === 0 ? ['* stable;'] : route.canaryWeight === 100 ? ['* canary;'] : [`${route.canaryWeight}% canary;`, '* stable;'];
  const temp = (name: string): string => `    ${name}_temp_path ${join(o.prefix, `${name}-temp`)};`;
  return [
    '# Rendered from the canary route model by pipelines/nginx/config.ts; do not edit.',
    'worker_processes 1;',
    `pid ${join(o.prefix, 'nginx.pid')};`,
    `error_log ${join(o.prefix, 'nginx-error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    '    access_log off;',
    temp('client_body'), temp('proxy'), temp('fastcgi'), temp('uwsgi'), temp('scgi'),
    `    upstream stable { server ${host}:${route.stable.port}; keepalive 16; }`,
    `    upstream canary { server ${host}:${route.canary.port}; keepalive 16; }`,
    '    split_clients "${request_id}" $weighted_backend {',
    ...split.map((line) => `        ${line}`),
    '    }',
    `    map ${pinVariable} $route_backend {`,
    `        ${route.pinHeader.value} canary;`,
    '        default $weighted_backend;',
    '    }',
    '    server {',
    `        listen 127.0.0.1:${o.listenPort};`,
    `        location ${route.pathPrefix} {`,
    '            proxy_pass http://$route_backend;',
    '            proxy_http_version 1.1;',
    '            proxy_set_header Connection "";',
    '        }',
    '        location / { return 404; }',
    '    }',
    '}',
    '',
  ].join('\n');
}
