/** Kubernetes resource quantities (the subset the stacks use: binary and decimal suffixes on integers/decimals). */
const factors: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
};

/** Bytes of a quantity such as "1Ti" or "1200Gi"; throws on anything else. */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(quantity);
  if (!match) throw new Error(`"${quantity}" is not a Kubernetes quantity like "1Ti" or "500Gi"`);
  return Number(match[1]) * (factors[match[2] ?? ''] ?? 1);
}

export const tebibyte = 2 ** 40;
