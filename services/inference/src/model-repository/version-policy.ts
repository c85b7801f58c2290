import type { VersionPolicy } from './model-config.js';

/** The versions a policy selects from those on disk, ascending. Pinned versions missing on disk are reported. */
export function selectVersions(policy: VersionPolicy, available: readonly number[]): { selected: number[]; missing: number[] } {
  const sorted = [...available].sort((a, b) => a - b);
  if ('all' in policy) return { selected: sorted, missing: [] };
  if ('latest' in policy) return { selected: sorted.slice(-policy.latest), missing: [] };
  const wanted = [...new Set(policy.specific)].sort((a, b) => a - b);
  return { selected: wanted.filter((v) => sorted.includes(v)), missing: wanted.filter((v) => !sorted.includes(v)) };
}
