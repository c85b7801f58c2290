/** Label keys shared by selectors, NetworkPolicies, Services and the ServiceMonitor. */
export const appLabel = 'app.kubernetes.io/name';
export const partOfLabel = 'app.kubernetes.io/part-of';
/** stable | canary; the ServiceMonitor copies it onto every series (services/inference/src/metrics/names.ts). */
export { trackLabel } from '../../services/inference/src/metrics/names.js';

export const partOf = 'vertical-inference';
