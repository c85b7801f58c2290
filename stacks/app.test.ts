import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import './test/matchers.js';
import { buildApp } from './app.js';
import { InferenceStack, type InferenceStackProps } from './app/inference-stack.js';
import { environmentNames } from './environments/index.js';
import { synthStacks, stack } from './test/synth.js';

describe('the app', () => {
  it('synthesizes platform and inference stacks for every environment', () => {
    const names = [...synthStacks().keys()].sort();
    expect(names).toEqual(environmentNames.flatMap((e) => [`inference-${e}`, `platform-${e}`]).sort());
  });

  it('writes cdktf.out with each inference stack depending on its platform stack', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-out-'));
    try {
      buildApp({ outdir }).synth();
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
      for (const env of environmentNames) {
        expect(manifest.stacks[`inference-${env}`].dependencies).toEqual([`platform-${env}`]);
        expect(manifest.stacks[`platform-${env}`].dependencies).toEqual([]);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('refuses an inference stack without its platform stack, saying why', () => {
    const app = new App({ outdir: '/nonexistent-not-written' });
    expect(() => new InferenceStack(app, 'inference-x', {} as InferenceStackProps)).toThrow(
      'inference-x: needs its platform stack (it installs the CRDs); pass { platform }',
    );
  });

  it('keeps operators in platform and custom resources in inference', () => {
    for (const env of environmentNames) {
      expect(stack(`platform-${env}`).raw).not.toHaveResource('kubernetes_manifest');
      expect(stack(`platform-${env}`).raw).toHaveResource('helm_release');
      expect(stack(`inference-${env}`).raw).toHaveResource('kubernetes_manifest');
      expect(stack(`inference-${env}`).raw).not.toHaveResource('helm_release');
    }
  });

  it('uses the local backend for dev and S3 with locking elsewhere, one key per stack', () => {
    expect(stack('platform-dev').json.terraform.backend).toEqual({ local: { path: '../../../.tfstate/platform-dev.tfstate' } });
    expect(stack('inference-prod').json.terraform.backend).toEqual({
      s3: {
        bucket: 'vertical-inference-tfstate-prod',
        key: 'inference/prod/inference-prod.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it('configures providers from kubeconfig variables only, with constrained versions', () => {
    const platform = stack('platform-staging').json;
    expect(platform.provider?.kubernetes).toEqual([{ config_path: '${var.kubeconfig_path}', config_context: '${var.kube_context}' }]);
    expect(JSON.stringify(platform.provider)).not.toMatch(/token|password|client_key|client_certificate/);
    expect(platform.terraform.required_version).toBe('>= 1.11.0, < 2.0.0');
    expect(platform.terraform.required_providers).toEqual({
      helm: { source: 'helm', version: '3.1.1' },
      kubernetes: { source: 'kubernetes', version: '2.38.0' },
    });
  });

  it('marks secrets as sensitive inputs without defaults', () => {
    const vars = stack('inference-prod').json.variable ?? {};
    for (const name of ['redis_password', 'cache_encryption_key', 'cache_hmac_key']) {
      expect(vars[name]).toMatchObject({ sensitive: true, type: 'string' });
      expect(vars[name]).not.toHaveProperty('default');
    }
  });

  it.each(environmentNames.flatMap((e) => [`platform-${e}`, `inference-${e}`]))('matches the snapshot of %s', (name) => {
    expect(stack(name).json).toMatchSnapshot();
  });
});
