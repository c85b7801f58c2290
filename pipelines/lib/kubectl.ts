/**
 * Whether a real kubectl is on PATH, for the tests that apply patches with `kubectl patch --local` or run
 * check-drift against it. Outside CI a machine without kubectl skips those tests; under CI=true a missing kubectl
 * is an error, because CI must run them (scripts/setup-tools.sh installs Debian's kubernetes-client).
 */
import { execFileSync } from 'node:child_process';

function kubectlOnPath(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasKubectl = kubectlOnPath();

if (!hasKubectl && process.env['CI'] === 'true') {
  throw new Error('kubectl is not on PATH: run `bash scripts/setup-tools.sh` (CI must run the kubectl tests, not skip them)');
}
