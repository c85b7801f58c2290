import { describe, expect, it } from 'vitest';
import { byName, stack } from '../../test/synth.js';
import { blockSsdClass, modelStoreClass } from './classes.js';

describe('storage classes', () => {
  it('are SSD, bind on first consumer and allow expansion', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      for (const name of ['ssd', 'model-store-ssd']) {
        const sc = byName(stack(`platform-${env}`), 'kubernetes_storage_class_v1', name);
        expect(sc).toMatchObject({ volume_binding_mode: 'WaitForFirstConsumer', allow_volume_expansion: true });
        expect(sc.metadata.labels['blueprint.dev/media']).toBe('ssd');
      }
    }
  });

  it('pick the SSD type per cloud', () => {
    expect(blockSsdClass('aws').parameters.type).toBe('gp3');
    expect(blockSsdClass('gcp').parameters.type).toBe('pd-ssd');
    expect(blockSsdClass('azure').parameters.skuName).toBe('Premium_LRS');
    expect(modelStoreClass('gcp').parameters.tier).toBe('zonal');
    expect(modelStoreClass('azure').parameters).toEqual({ skuName: 'Premium_LRS', protocol: 'nfs' });
    expect(() => modelStoreClass('aws')).toThrow(/modelStoreNetwork/);
    expect(modelStoreClass('aws', { subnetId: 'subnet-1', securityGroupIds: ['sg-1', 'sg-2'] }).parameters).toMatchObject({
      deploymentType: 'PERSISTENT_2',
      securityGroupIds: 'sg-1,sg-2',
    });
  });
});

describe('the model store', () => {
  it('is at least 1 TiB, shared, on the model store SSD class', () => {
    const claim = byName(stack('inference-dev'), 'kubernetes_persistent_volume_claim_v1', 'model-store');
    expect(claim.spec).toMatchObject({ access_modes: ['ReadWriteMany'], storage_class_name: 'model-store-ssd', resources: { requests: { storage: '1Ti' } } });
    expect(byName(stack('inference-prod'), 'kubernetes_persistent_volume_claim_v1', 'model-store').spec.resources.requests.storage).toBe('2400Gi');
  });

  it('is mounted read-only by the service', () => {
    const pod = byName(stack('inference-dev'), 'kubernetes_deployment_v1', 'inference-stable').spec.template.spec;
    expect(pod.volume[0]).toEqual({ name: 'model-store', persistent_volume_claim: { claim_name: 'model-store', read_only: true } });
  });
});
