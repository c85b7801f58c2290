/**
 * The rule registry. A family file exports a list; adding a rule means adding it to that list (or adding a
 * family file and one line here). The CLI, the aspect, the docs table and the tests all read this registry.
 */
import type { Rule } from '../engine/rule.js';
import { gatewayRules } from './gateway-tls.js';
import { gpuRules } from './gpu.js';
import { namespaceRules } from './namespace.js';
import { networkRules } from './network.js';
import { podSecurityRules } from './pod-security.js';
import { rolloutRules } from './rollout.js';
import { secretRules } from './secrets.js';
import { stateRules } from './state.js';
import { storageRules } from './storage.js';
import { supplyChainRules } from './supply-chain.js';
import { workloadRules } from './workload.js';

export const allRules: readonly Rule[] = [
  ...podSecurityRules,
  ...workloadRules,
  ...namespaceRules,
  ...networkRules,
  ...gpuRules,
  ...storageRules,
  ...rolloutRules,
  ...gatewayRules,
  ...supplyChainRules,
  ...secretRules,
  ...stateRules,
];

export function findRule(id: string): Rule | undefined {
  return allRules.find((r) => r.id === id);
}
