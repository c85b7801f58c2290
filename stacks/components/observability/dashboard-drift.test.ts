/** The per-model row of the dashboard: drift beside latency, repeated for every model. */
import { describe, expect, it } from 'vitest';
import { slo } from '../../../policies/slo.js';
import { driftPsiQuery } from '../../../policies/queries.js';
import { inferenceDashboard, modelPanels } from './dashboard.js';

describe('dashboard: drift next to latency per model', () => {
  const dashboard = inferenceDashboard() as { panels: Array<Record<string, any>>; templating: { list: Array<Record<string, any>> } };

  it('a row repeated over the `model` variable holds the latency and the drift panel side by side', () => {
    const rowIndex = dashboard.panels.findIndex((p) => p.type === 'row');
    const row = dashboard.panels[rowIndex];
    expect(row).toMatchObject({ repeat: 'model', title: 'Model $model' });
    const [latency, drift] = dashboard.panels.slice(rowIndex + 1);
    expect(latency?.title).toBe('Latency p50 / p95 — $model');
    expect(drift?.title).toBe(`Drift (PSI over ${slo.drift.windowMinutes}m) — $model`);
    expect(latency?.gridPos.y).toBe(drift?.gridPos.y);
    expect(latency?.gridPos.x).not.toBe(drift?.gridPos.x);
    expect(dashboard.templating.list.find((v) => v.name === 'model')).toMatchObject({ type: 'query', multi: true, includeAll: true });
  });

  it('the drift panel plots the alert rule’s PSI for the row’s model, with the threshold from policies/slo.ts', () => {
    const drift = modelPanels()[1];
    expect(drift?.targets[0]?.expr).toBe(driftPsiQuery(`${slo.drift.windowMinutes}m`, 'model=~"$model"'));
    expect(drift?.targets[0]?.expr).toContain('inference_drift_observations_total{model=~"$model"}');
    expect(drift?.targets[0]?.expr).toContain('inference_drift_reference_ratio{model=~"$model"}');
    expect(drift?.thresholds).toEqual([{ value: slo.drift.psiAlert, color: 'red' }]);
  });

  it('panel ids stay unique', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
