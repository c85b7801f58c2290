/** Namespace names, in one place: both stacks and every component refer to namespaces by these constants. */
export const namespaces = {
  inference: 'inference',
  gateway: 'gateway',
  monitoring: 'monitoring',
  logging: 'logging',
  elasticSystem: 'elastic-system',
  certManager: 'cert-manager',
  gpuOperator: 'gpu-operator',
} as const;

export type NamespaceKey = keyof typeof namespaces;
