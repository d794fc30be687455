import { isAcceptanceStat, type MethodParity, type OrderingCheck, type ParityCell, type ParityReport, type Tolerance, type Verdict } from './parity';

const MARK: Readonly<Record<Verdict, string>> = { inside: '✓', 'within-delta': '≈', outside: '✗' };

function num(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return x.toExponential(2);
  return x.toFixed(a < 0.1 ? 4 : 3);
}

function toleranceText(t: Tolerance): string {
  return t.kind === 'abs' ? `±${t.delta}` : `±${Math.round(t.delta * 100)}% (≥${t.floor})`;
}

function cellText(c: ParityCell | undefined): string {
  if (c === undefined) return '';
  return `${num(c.mean)} [${num(c.refMin)}–${num(c.refMax)}] ${MARK[c.verdict]}`;
}

/** One Markdown table per method: a row per statistic, a column per step; acceptance rows first, in bold. */
export function methodTable(parity: MethodParity): string {
  const stats = [...new Set(parity.cells.map((c) => c.stat))];
  const first = new Map(stats.map((s) => [s, parity.cells.find((c) => c.stat === s) as ParityCell]));
  stats.sort((a, b) => Number(isAcceptanceStat(b)) - Number(isAcceptanceStat(a)) || a.localeCompare(b));
  const seeds = (cells: readonly ParityCell[], pick: (c: ParityCell) => readonly number[]) =>
    [...new Set(cells.flatMap(pick))].sort((a, b) => a - b).join(', ');
  const lines = [
    `### ${parity.method}`,
    '',
    `Equilab seeds ${seeds(parity.cells, (c) => c.seeds)}, reference seeds ${seeds(parity.cells, (c) => c.refSeeds)}. Cells: Equilab's mean over its seeds of the 100-step window mean [reference min–max over its seeds] and the verdict: ✓ inside the band, ≈ inside the band widened by δ, ✗ outside. **Bold**: the acceptance statistics (their cells at steps 1,000–3,000 decide parity; at 6,000 the reference has one seed, and the ordering below decides).`,
    '',
    `| statistic | δ | ${parity.steps.map((s) => `step ${s.toLocaleString('en-US')}`).join(' | ')} |`,
    `|---|---|${parity.steps.map(() => '---').join('|')}|`,
  ];
  for (const stat of stats) {
    const head = first.get(stat) as ParityCell;
    const name = isAcceptanceStat(stat) ? `**${stat}**` : stat;
    const cells = parity.steps.map((step) => cellText(parity.cells.find((c) => c.stat === stat && c.step === step)));
    lines.push(`| ${name} | ${toleranceText(head.tolerance)} | ${cells.join(' | ')} |`);
  }
  const acceptance = parity.cells.filter((c) => c.acceptance);
  const failing = acceptance.filter((c) => c.verdict === 'outside');
  lines.push('', `Acceptance: ${acceptance.length - failing.length} of ${acceptance.length} cells inside their band${failing.length > 0 ? `; outside: ${failing.map((c) => `${c.stat} @ ${c.step}`).join(', ')}` : ''}.`);
  return lines.join('\n');
}

export function orderingTable(ordering: OrderingCheck): string {
  const lines = [
    `### The paper's ordering at step ${ordering.step.toLocaleString('en-US')}`,
    '',
    '| online rotation R² | Equilab | reference | within 0.06 |',
    '|---|---|---|---|',
    ...ordering.values.map((v) => `| ${v.label} (\`${v.stat}\`) | ${num(v.equilab)} | ${num(v.reference)} | ${v.ok ? '✓' : '✗'} |`),
    '',
    '| margin | Equilab | reference | required | met |',
    '|---|---|---|---|---|',
    ...ordering.margins.map((m) => `| ${m.label} | ${num(m.equilab)} | ${num(m.reference)} | ≥ ${m.required} | ${m.ok ? '✓' : '✗'} |`),
  ];
  return lines.join('\n');
}

export function parityMarkdown(report: ParityReport): string {
  const parts = report.methods.map(methodTable);
  if (report.ordering) parts.push(orderingTable(report.ordering));
  parts.push(`Overall: ${report.ok ? 'PARITY — every acceptance cell inside its band' + (report.ordering ? ' and the ordering holds' : '') : 'NOT at parity (see ✗ above)'}.`);
  return parts.join('\n\n') + '\n';
}
