import { App, TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import '../test/matchers.js';
import { HelmChart, assertPinnedChart } from './helm.js';
import { kubeManifest } from './manifest.js';
import { assertDnsLabel } from './names.js';
import { quantityBytes } from './quantity.js';

describe('pinned Helm charts', () => {
  it('refuse ranges, tags and plain http', () => {
    expect(() => assertPinnedChart({ repository: 'https://x', chart: 'c', version: '~1.2' })).toThrow(/must be exact/);
    expect(() => assertPinnedChart({ repository: 'https://x', chart: 'c', version: 'latest' })).toThrow(/must be exact/);
    expect(() => assertPinnedChart({ repository: 'http://x', chart: 'c', version: '1.2.3' })).toThrow(/https:\/\/ or oci:\/\//);
  });

  it('render values as YAML and release atomically with a bounded wait', () => {
    const stack = new TerraformStack(new App({ outdir: '/nonexistent-not-written' }), 's');
    new HelmChart(stack, 'c', { repository: 'https://charts.example.com', chart: 'c', version: '1.2.3', releaseName: 'c', namespace: 'ns', values: { b: 1, a: { x: true } } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties('helm_release', {
      version: '1.2.3',
      values: ['a:\n  x: true\nb: 1\n'],
      atomic: true,
      wait: true,
      create_namespace: false,
      timeout: 600,
    });
  });
});

describe('names and quantities', () => {
  it('reject names Kubernetes would reject, with the reason', () => {
    expect(() => assertDnsLabel('Inference', 'Service')).toThrow('Service "Inference" must be lower-case letters');
    expect(() => assertDnsLabel('a'.repeat(64), 'namespace')).toThrow(/64 characters long/);
    expect(assertDnsLabel('inference-stable', 'Deployment')).toBe('inference-stable');
  });

  it('check custom resource names at construction', () => {
    const stack = new TerraformStack(new App({ outdir: '/nonexistent-not-written' }), 's');
    expect(() => kubeManifest(stack, 'm', { apiVersion: 'v1', kind: 'Gateway', metadata: { name: 'Bad_Name' } })).toThrow(/Gateway name "Bad_Name"/);
  });

  it('parse binary and decimal quantities', () => {
    expect(quantityBytes('1Ti')).toBe(2 ** 40);
    expect(quantityBytes('1200Gi')).toBe(1200 * 2 ** 30);
    expect(quantityBytes('2G')).toBe(2e9);
    expect(() => quantityBytes('1 TB')).toThrow(/not a Kubernetes quantity/);
  });
});
