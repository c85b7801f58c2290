import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { byName, manifest, resources, stack } from '../../test/synth.js';
import { ilmPolicy, logstashPipeline } from './pipeline.js';

const s = stack('inference-prod');

describe('logging (ECK)', () => {
  it('declares Elasticsearch, Kibana, Logstash and Filebeat at the environment version', () => {
    for (const kind of ['Elasticsearch', 'Kibana', 'Logstash', 'Beat']) {
      const object = manifest(s, kind);
      expect(object.spec.version, kind).toBe('9.4.3');
      expect(object.metadata.namespace).toBe('logging');
    }
    expect(manifest(s, 'Elasticsearch').spec.nodeSets[0].count).toBe(3);
  });

  it('mounts /tmp only where ECK does not (a second /tmp mount would make ECK’s pods invalid)', () => {
    const tmpMounts = (kind: string) => {
      const template = kind === 'Elasticsearch' ? manifest(s, kind).spec.nodeSets[0].podTemplate : manifest(s, kind).spec.podTemplate;
      return (template.spec.containers[0].volumeMounts ?? []).filter((m: { mountPath: string }) => m.mountPath === '/tmp');
    };
    expect(tmpMounts('Elasticsearch')).toEqual([]);
    expect(tmpMounts('Kibana')).toEqual([]);
    expect(tmpMounts('Logstash')).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('puts every Elastic volume on the SSD class, never on a cluster default that may not exist', () => {
    expect(manifest(s, 'Elasticsearch').spec.nodeSets[0].volumeClaimTemplates[0].spec.storageClassName).toBe('ssd');
    expect(manifest(s, 'Logstash').spec.volumeClaimTemplates).toEqual([
      { metadata: { name: 'logstash-data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ssd', resources: { requests: { storage: '2Gi' } } } },
    ]);
  });

  it('ships container logs from every node to Logstash', () => {
    const beat = manifest(s, 'Beat');
    expect(beat.spec.type).toBe('filebeat');
    expect(beat.spec.config['filebeat.inputs'][0].paths).toEqual(['/var/log/containers/*.log']);
    expect(beat.spec.config['output.logstash'].hosts).toEqual(['logstash-ls-beats.logging.svc:5044']);
    expect(beat.spec.daemonSet.podTemplate.spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(beat.metadata.annotations['blueprint.dev/policy-exception']).toMatch(/hostPath/);
  });

  it('parses the service ECS JSON with the json filter, no grok', () => {
    const pipeline = manifest(s, 'Logstash').spec.pipelines[0]['config.string'];
    expect(pipeline).toBe(logstashPipeline('inference'));
    expect(pipeline).toContain('json { source => "message"');
    expect(pipeline).not.toMatch(/grok/);
    expect(pipeline).toContain('ilm_policy => "inference-logs"');
  });

  it('enforces retention with an ILM delete phase from the environment (prod: 30 days)', () => {
    expect(ilmPolicy(30)).toMatchObject({ policy: { phases: { delete: { min_age: '30d', actions: { delete: {} } } } } });
    const job = resources(s, 'kubernetes_job_v1')[0] as any;
    const command: string[] = job.spec.template.spec.container[0].command;
    expect(command).toContain(JSON.stringify(ilmPolicy(30)));
    expect(command.at(-1)).toBe('https://logs-es-http.logging.svc:9200/_ilm/policy/inference-logs');
    expect(job.spec.template.spec.container[0].image).toMatch(/@sha256:[a-f0-9]{64}$/);
  });

  it('locks the namespace down: default deny plus the stack’s own traffic', () => {
    const deny = resources(s, 'kubernetes_network_policy_v1').find((p: any) => p.metadata.namespace === 'logging' && p.metadata.name === 'default-deny') as any;
    expect(deny.spec).toEqual({ pod_selector: {}, policy_types: ['Ingress', 'Egress'] });
    expect(byName(s, 'kubernetes_network_policy_v1', 'elastic-stack').spec.ingress[1].from[0].namespace_selector.match_labels).toEqual({
      'kubernetes.io/metadata.name': 'elastic-system',
    });
  });

  it('installs the ECK operator pinned, in the platform stack, admissible under Pod Security restricted', () => {
    const release = resources(stack('platform-prod'), 'helm_release').find((r: any) => r.chart === 'eck-operator') as any;
    expect(release).toMatchObject({ version: '3.5.0', repository: 'https://helm.elastic.co' });
    expect(parse(release.values[0]).podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });
});
