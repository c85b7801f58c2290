/**
 * Kubernetes resource quantities (`1Ti`, `500Gi`, `250m`) as numbers.
 * Suffixes per https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Parses a quantity; undefined when the text is not one (e.g. an unresolved `${var.size}`). */
export function parseQuantity(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTPE]i|[mkMGTPE]?)\s*$/.exec(text);
  if (!m) return undefined;
  const [, value, suffix = ''] = m;
  const factor = binary[suffix] ?? decimal[suffix];
  return factor === undefined ? undefined : Number(value) * factor;
}

export const tebibyte = 2 ** 40;
