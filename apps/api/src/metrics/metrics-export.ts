import type { Response } from 'express';

/** One RFC 4180 CSV line (quotes fields holding a comma, quote or newline). */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\n\r]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',')}\n`;
}

/** A stored metric point of an export, in long format. */
export interface ExportRow {
  readonly runId: string;
  readonly key: string;
  readonly step: number;
  readonly value: number;
  readonly time: Date;
}

/** How a streamed export format writes its file: media type, file extension, header, one line per point. */
interface StreamFormat {
  readonly contentType: string;
  readonly extension: string;
  readonly header: string;
  line(row: ExportRow): string;
}

/** The export formats streamed row by row (`format` of exportQuerySchema; whole-file formats live with their module). */
export const streamFormats = {
  csv: {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    header: 'run,key,step,value,time\n',
    line: (r: ExportRow) => csvLine([r.runId, r.key, String(r.step), String(r.value), r.time.toISOString()]),
  },
  jsonl: {
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'jsonl',
    header: '',
    line: (r: ExportRow) => `${JSON.stringify({ run: r.runId, key: r.key, step: r.step, value: r.value, time: r.time.toISOString() })}\n`,
  },
} as const satisfies Record<string, StreamFormat>;
export type StreamFormatName = keyof typeof streamFormats;

/** Streams pages of rows as a download named `name` in `format`, honouring back-pressure. */
export async function streamExport(res: Response, pages: AsyncIterable<readonly ExportRow[]>, format: StreamFormatName, name: string): Promise<void> {
  const f: StreamFormat = streamFormats[format];
  res.status(200);
  res.setHeader('Content-Type', f.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${name}.${f.extension}"`);
  if (f.header) res.write(f.header);
  for await (const rows of pages) {
    let chunk = '';
    for (const r of rows) chunk += f.line(r);
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}
