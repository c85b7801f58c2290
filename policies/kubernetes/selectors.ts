/**
 * Label selector matching, as the API server does it
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors):
 * every `match_labels` pair and every `match_expressions` requirement must hold; an empty selector matches all.
 */
import { blocks, str, stringMap, strings, type JsonObject } from '../engine/values.js';

export function matchesSelector(selector: JsonObject | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  const matchLabels = stringMap(selector, 'match_labels');
  for (const [k, v] of Object.entries(matchLabels)) {
    if (labels[k] !== v) return false;
  }
  for (const expr of blocks(selector, 'match_expressions')) {
    const key = str(expr, 'key') ?? '';
    const values = strings(expr, 'values');
    const has = key in labels;
    switch (str(expr, 'operator')) {
      case 'In':
        if (!has || !values.includes(labels[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's `selector` is a plain map; an empty one selects nothing (the Service has manual endpoints). */
export function matchesServiceSelector(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([k, v]) => labels[k] === v);
}
