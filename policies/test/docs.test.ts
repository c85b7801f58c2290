import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsFile, withRuleTable } from '../docs/generate.js';
import { allRules } from '../rules/index.js';

describe('docs/policies.md', () => {
  const text = readFileSync(docsFile, 'utf8');

  it('has the rule table the registry generates (run npm run policy:docs when this fails)', () => {
    expect(text).toBe(withRuleTable(text));
  });

  it('lists every rule with its id, and the registry has at least 25 rules with unique ids', () => {
    expect(allRules.length).toBeGreaterThanOrEqual(25);
    expect(new Set(allRules.map((r) => r.id)).size).toBe(allRules.length);
    for (const rule of allRules) expect(text).toContain(`| \`${rule.id}\` |`);
  });

  it('every rule has a family id, a one-line rationale, a linked source and a fix hint', () => {
    for (const rule of allRules) {
      expect(rule.id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
      expect(rule.rationale).not.toContain('\n');
      expect(rule.rationale.length).toBeGreaterThan(20);
      expect(rule.sources.length).toBeGreaterThan(0);
      expect(rule.fix.length).toBeGreaterThan(10);
    }
  });
});
