/**
 * The Logstash pipeline: Beats in, ECS JSON decoded with the `json` filter (the service logs ECS JSON through
 * @elastic/ecs-pino-format, so no grok patterns are needed), Elasticsearch out through an ILM rollover alias.
 * `LOGS_ES_*` variables are injected by ECK from `elasticsearchRefs[clusterName=logs]`.
 */
export const beatsPort = 5044;
export const logsIndexAlias = 'inference-logs';
export const ilmPolicyName = 'inference-logs';

export function logstashPipeline(serviceAppName: string): string {
  return [
    `input { beats { port => ${beatsPort} } }`,
    'filter {',
    // Filebeat's add_kubernetes_metadata de-dots label keys: app.kubernetes.io/name -> app_kubernetes_io/name.
    `  if [kubernetes][labels][app_kubernetes_io/name] == "${serviceAppName}" {`,
    '    json { source => "message" skip_on_invalid_json => true }',
    '  }',
    '}',
    'output {',
    '  elasticsearch {',
    '    hosts => ["${LOGS_ES_HOSTS}"]',
    '    user => "${LOGS_ES_USER}"',
    '    password => "${LOGS_ES_PASSWORD}"',
    '    ssl_certificate_authorities => "${LOGS_ES_SSL_CERTIFICATE_AUTHORITY}"',
    '    ilm_enabled => true',
    `    ilm_rollover_alias => "${logsIndexAlias}"`,
    `    ilm_policy => "${ilmPolicyName}"`,
    '  }',
    '}',
  ].join('\n');
}

/** Index lifecycle: roll over daily (or at 50 GB per primary shard), delete after the retention. */
export function ilmPolicy(retentionDays: number): Record<string, unknown> {
  return {
    policy: {
      phases: {
        hot: { actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
        delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
      },
    },
  };
}
