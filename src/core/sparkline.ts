const BARS = '▁▂▃▄▅▆▇█';

/** Values as a one-line bar chart (`▁▃█▂`); all-zero input gives the lowest bar throughout. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? BARS[0] : BARS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}
