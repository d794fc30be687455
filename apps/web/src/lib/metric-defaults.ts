/**
 * The metric a page shows first: the total loss (the reference logs `Loss/Total loss`), else the first loss, else
 * the first key. Keys are compared as given; the Runs table's default columns and the Sweep page's plot use it.
 */
export function preferredMetric(keys: readonly string[]): string | undefined {
  const losses = keys.filter((k) => k.startsWith('Loss/'));
  return losses.find((k) => /total/i.test(k)) ?? losses[0] ?? keys[0];
}
