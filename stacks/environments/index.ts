/** Loads an environment by name, validated (see ./schema/validate.ts). */
import { dev } from './dev.js';
import { prod } from './prod.js';
import { staging } from './staging.js';
import type { EnvironmentConfig, EnvironmentName } from './schema/types.js';
import { validateEnvironment } from './schema/validate.js';

export type { EnvironmentConfig, EnvironmentName } from './schema/types.js';
export { validateEnvironment } from './schema/validate.js';

const environments: Readonly<Record<EnvironmentName, EnvironmentConfig>> = { dev, staging, prod };

/** Every environment, in promotion order. */
export const environmentNames: readonly EnvironmentName[] = ['dev', 'staging', 'prod'];

export function loadEnvironment(name: string): EnvironmentConfig {
  if (!(environmentNames as readonly string[]).includes(name)) {
    throw new Error(`unknown environment "${name}"; expected one of ${environmentNames.join(', ')}`);
  }
  return validateEnvironment(environments[name as EnvironmentName]);
}
