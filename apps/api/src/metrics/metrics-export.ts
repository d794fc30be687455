/** One RFC 4180 CSV line (quotes fields holding a comma, quote or newline). */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\n\r]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',')}\n`;
}
