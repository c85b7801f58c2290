/**
 * A Helm release with the settings every release in this project shares: an exact chart version from an https
 * (or TLS OCI) repository, values as a typed object rendered to YAML, `atomic` upgrades and a bounded wait.
 */
import { Release } from '@cdktf/provider-helm/lib/release/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { assertDnsLabel } from './names.js';

/** Where a chart comes from; `version` is exact (`1.2.3` or `v1.2.3`), never a range. */
export interface PinnedChart {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
}

/** Helm values: plain data, rendered to YAML once. */
export type HelmValues = { readonly [key: string]: unknown };

export interface HelmChartProps extends PinnedChart {
  readonly releaseName: string;
  readonly namespace: string;
  readonly values: HelmValues;
  /** Releases (or other resources) that must exist first, e.g. the CRDs a chart's templates use. */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Wait for the release's workloads to become ready. On by default so that a dependent release never starts
   * against a half-installed operator; CRD-only charts turn it off as there is nothing to wait for.
   */
  readonly wait?: boolean;
  /** Seconds Helm waits (default 600; the GPU operator needs more while drivers build). */
  readonly timeoutSeconds?: number;
}

const exactVersion = /^v?\d+\.\d+\.\d+$/;

export function assertPinnedChart(chart: PinnedChart): PinnedChart {
  if (!exactVersion.test(chart.version)) {
    throw new Error(`chart ${chart.chart} version "${chart.version}" must be exact (like 1.2.3), not a range or tag`);
  }
  if (!/^(https|oci):\/\//.test(chart.repository)) {
    throw new Error(`chart ${chart.chart} repository "${chart.repository}" must be an https:// or oci:// (TLS) URL`);
  }
  return chart;
}

export class HelmChart extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id);
    assertPinnedChart(props);
    assertDnsLabel(props.releaseName, 'Helm release name');
    const wait = props.wait ?? true;
    this.release = new Release(this, 'release', {
      name: props.releaseName,
      namespace: props.namespace,
      repository: props.repository,
      chart: props.chart,
      version: props.version,
      values: [stringify(props.values, { sortMapEntries: true })],
      // Namespaces are Terraform resources with Pod Security labels (components/namespaces), never Helm's.
      createNamespace: false,
      // A failed upgrade rolls back instead of leaving a half-applied release behind.
      atomic: wait,
      cleanupOnFail: true,
      wait,
      waitForJobs: wait,
      timeout: props.timeoutSeconds ?? 600,
      maxHistory: 10,
      dependsOn: props.dependsOn,
    });
  }
}
