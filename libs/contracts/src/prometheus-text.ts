/**
 * A reader of Prometheus' text exposition format (version 0.0.4, what prom-client writes and what the API's and
 * the runner's `/metrics` serve), for tests and tools that check a scrape: `# TYPE` lines and samples
 * `name{label="value",…} value [timestamp]` with the format's escapes (`\\`, `\"`, `\n`). Written here because
 * the npm reader (parse-prometheus-text-format) folds a histogram family's labelled series into one.
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromScrape {
  /** Family name → its `# TYPE` (counter, gauge, histogram, summary, untyped). */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly PromSample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

/** A sample value; NaN and ±Inf in any case, as Prometheus reads them (prom-client writes NaN as `Nan`). */
function parseValue(text: string): number {
  const word = text.toLowerCase();
  if (word === '+inf' || word === 'inf') return Infinity;
  if (word === '-inf') return -Infinity;
  if (word === 'nan') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`not a sample value: ${text}`);
  return value;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match || match.index !== start) throw new Error(`bad labels in: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** Parses a whole exposition; throws on a line that is neither a comment nor a sample. */
export function parsePrometheusText(text: string): PromScrape {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = /^#\s+TYPE\s+(\S+)\s+(\S+)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: match[1]!, labels: match[2] ? parseLabels(match[2], line) : {}, value: parseValue(match[3]!) });
  }
  return { types, samples };
}

/** Samples named `name` whose labels include every one of `labels`. */
export function promSamples(scrape: PromScrape, name: string, labels: Readonly<Record<string, string>> = {}): PromSample[] {
  return scrape.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample named `name` with `labels` (throws when there is none or several). */
export function promValue(scrape: PromScrape, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const found = promSamples(scrape, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples ${name}${JSON.stringify(labels)} (want 1)`);
  return found[0]!.value;
}
