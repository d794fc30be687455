import {
  evaluationTableColumns,
  type EvaluationCell,
  evaluationParts,
  type EvaluationPart,
  type EvaluationTable,
  type EvaluationTableColumn,
  type EvaluationTablePart,
  type EvaluationTableRow,
} from '@equilab/contracts';

/** What the table needs of a run. */
export interface TableRun {
  readonly id: string;
  readonly name: string;
  readonly method: string;
  readonly seed: number;
  readonly config: Record<string, unknown>;
  readonly sweepParams: Record<string, unknown> | null;
  /** The weights artifact the run started from (`initWeights`), if not from its seeded init. */
  readonly initWeightsArtifactId?: string | null;
}

/** What the table needs of a stored result. */
export interface TableResult {
  readonly runId: string;
  readonly kind: string;
  readonly part: string;
  readonly checkpoint: string;
  readonly status: string;
  readonly metrics: Record<string, number>;
  readonly updatedAt: Date;
}

/** JSON with object keys sorted, so equal configs give equal strings (grouping and idempotency keys). */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Runs that differ only by seed share a group: the method plus the rest of the config (and the weights a run started from, if any). */
export function groupKey(run: TableRun): string {
  const { seed: _seed, ...rest } = run.config;
  const init = run.initWeightsArtifactId ? ` init:${run.initWeightsArtifactId}` : '';
  return `${run.method} ${stableJson(rest)}${init}`;
}

function groupLabel(runs: readonly TableRun[]): string {
  const first = runs[0]!;
  if (runs.length === 1 && !first.sweepParams) return `${first.method} (${first.name})`;
  const params = Object.entries(first.sweepParams ?? {}).filter(([k]) => k !== 'seed' && !k.endsWith('.seed'));
  return params.length ? `${first.method} ${params.map(([k, v]) => `${k}=${String(v)}`).join(' ')}` : first.method;
}

/** Mean and sample standard deviation (n − 1; null for one value). */
export function meanStd(values: readonly number[]): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: null };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** The result a run shows for a kind: the `final` checkpoint's, else the most recently stored one. */
function pick(results: readonly TableResult[], runId: string, kind: string, part: EvaluationPart): TableResult | undefined {
  const candidates = results.filter((r) => r.runId === runId && r.kind === kind && r.part === part);
  return candidates.find((r) => r.checkpoint === 'final') ?? [...candidates].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
}

const PART_LABELS: Record<EvaluationPart, string> = { full: 'full', inv: 'inv.', equi: 'equi.' };

/** A column with what it is computed from: a kind's result metric on one part. */
interface TableColumn extends EvaluationTableColumn {
  readonly kind: string;
  readonly metric: string;
}

/**
 * The columns of a table of `part`: the paper's headline metrics on that part (retrieval on `equi`, the
 * predictor's). `all`: each probe metric once per part, keyed `<key>.<part>`, side by side, then retrieval once.
 */
export function tableColumns(part: EvaluationTablePart): TableColumn[] {
  const columns: TableColumn[] = [];
  for (const c of evaluationTableColumns) {
    const base = { label: c.label, better: c.better, kind: c.kind, metric: c.metric };
    if (c.kind === 'retrieval') columns.push({ ...base, key: c.key, part: 'equi' });
    else if (part !== 'all') columns.push({ ...base, key: c.key, part });
    else for (const p of evaluationParts) columns.push({ ...base, key: `${c.key}.${p}`, label: `${c.label} (${PART_LABELS[p]})`, part: p });
  }
  return columns;
}

/**
 * The evaluation table in the paper's layout: one row per group of runs (seeds folded into mean ± std), one
 * column per headline metric, deltas against a baseline run's values, the best row of every column (PRE: lowest).
 */
export function buildEvaluationTable(
  runs: readonly TableRun[],
  results: readonly TableResult[],
  part: EvaluationTablePart,
  baselineRunId: string | null,
): EvaluationTable {
  const columns = tableColumns(part);
  const groups = new Map<string, TableRun[]>();
  for (const run of runs) {
    const key = groupKey(run);
    const list = groups.get(key);
    if (list) list.push(run);
    else groups.set(key, [run]);
  }
  const baseline = baselineRunId ? runs.find((r) => r.id === baselineRunId) : undefined;
  const baselineValue = (column: TableColumn): number | null => {
    if (!baseline) return null;
    const r = pick(results, baseline.id, column.kind, column.part);
    const v = r?.status === 'succeeded' ? r.metrics[column.metric] : undefined;
    return typeof v === 'number' ? v : null;
  };
  const rows: EvaluationTableRow[] = [...groups.entries()].map(([group, members]) => {
    const cells: Record<string, EvaluationCell> = {};
    for (const column of columns) {
      const picked = members.map((m) => pick(results, m.id, column.kind, column.part)).filter((r): r is TableResult => r !== undefined);
      const values = picked.filter((r) => r.status === 'succeeded').map((r) => r.metrics[column.metric]).filter((v): v is number => typeof v === 'number');
      const { mean, std } = meanStd(values);
      const base = baselineValue(column);
      cells[column.key] = {
        mean,
        std,
        n: values.length,
        delta: mean !== null && base !== null ? mean - base : null,
        notApplicable: picked.length > 0 && picked.every((r) => r.status === 'not_applicable'),
      };
    }
    return {
      group,
      method: members[0]!.method,
      runIds: members.map((m) => m.id),
      seeds: members.map((m) => m.seed),
      label: groupLabel(members),
      cells,
    };
  });
  rows.sort((a, b) => a.method.localeCompare(b.method) || a.label.localeCompare(b.label));
  const best: Record<string, number | null> = {};
  for (const column of columns) {
    let index: number | null = null;
    rows.forEach((row, i) => {
      const m = row.cells[column.key]?.mean ?? null;
      if (m === null) return;
      const current = index === null ? null : (rows[index]!.cells[column.key]?.mean ?? null);
      if (current === null || (column.better === 'higher' ? m > current : m < current)) index = i;
    });
    best[column.key] = index;
  }
  return {
    part,
    columns: columns.map(({ key, label, better, part: columnPart }) => ({ key, label, better, part: columnPart })),
    rows,
    best,
    baselineRunId: baseline ? baseline.id : null,
  };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const num = (v: number | null): string => (v === null ? '' : String(v));

/** CSV export: per column mean, std, n and delta ("n/a" in the mean for not-applicable cells). */
export function evaluationTableCsv(table: EvaluationTable): string {
  const header = ['method', 'label', 'runs', 'seeds'];
  for (const c of table.columns) header.push(c.label, `${c.label} std`, `${c.label} n`, `${c.label} delta`);
  const lines = [header.map(csvField).join(',')];
  for (const row of table.rows) {
    const fields = [row.method, row.label, row.runIds.join(' '), row.seeds.join(' ')];
    for (const c of table.columns) {
      const cell = row.cells[c.key]!;
      fields.push(cell.notApplicable ? 'n/a' : num(cell.mean), num(cell.std), String(cell.n), num(cell.delta));
    }
    lines.push(fields.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
