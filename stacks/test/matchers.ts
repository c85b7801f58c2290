/**
 * cdktf's Testing matchers, wired into vitest (`Testing.setupJest()` only knows Jest). Import this file once per
 * test file: `expect(synthesized).toHaveResourceWithProperties('kubernetes_deployment_v1', {...})`.
 */
import { Testing } from 'cdktf';
import { expect } from 'vitest';

interface SynthMatchers<R> {
  /** The synthesized stack JSON has at least one resource of this Terraform type. */
  toHaveResource(type: string): R;
  /** ... and one of them contains these (snake_case, partial, nested) properties. */
  toHaveResourceWithProperties(type: string, properties: Record<string, unknown>): R;
}

declare module 'vitest' {
  // Declaration merging must repeat vitest's own signature, `any` included.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SynthMatchers<T> {}
}

expect.extend({
  toHaveResource(received: string, type: string) {
    const pass = Testing.toHaveResource(received, type);
    return { pass, message: () => `expected ${pass ? 'no' : 'a'} resource of type ${type}` };
  },
  toHaveResourceWithProperties(received: string, type: string, properties: Record<string, unknown>) {
    const pass = Testing.toHaveResourceWithProperties(received, type, properties);
    return {
      pass,
      message: () => `expected ${pass ? 'no' : 'a'} ${type} with properties ${JSON.stringify(properties)}`,
    };
  },
});
