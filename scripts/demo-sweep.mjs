// The demo's sweep: a project, then SIE vs VICReg at a tiny width on the generated 3DIEBench-mini, followed until
// every run has finished. Prints where to look. Usage: node scripts/demo-sweep.mjs --api URL --token T --web URL
//   --epochs N                   pretraining epochs (default 2)
//   --evaluations k1,k2,…        offline evaluations queued when each run succeeds (classification, rotation,
//   --eval-epochs N              color, retrieval), then waited for; prints the evaluation table (default: none)
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { api: { type: 'string' }, token: { type: 'string' }, web: { type: 'string' }, data: { type: 'string' }, epochs: { type: 'string', default: '2' }, evaluations: { type: 'string' }, 'eval-epochs': { type: 'string', default: '5' } },
});
if (!args.api || !args.token) {
  console.error('demo-sweep: --api and --token are required');
  process.exit(2);
}

async function call(method, path, body) {
  const response = await fetch(`${args.api}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const project = await call('POST', '/projects', { name: `demo ${new Date().toISOString().slice(0, 16)}`, description: 'SIE vs VICReg on 3DIEBench-mini' });
// Width 0.25 (128-D representation) with 512-wide projectors: minutes per run on 2 CPU cores. SIE splits its
// representation half invariant, half equivariant as in the paper (equi 256 of 512 → 64 of 128).
const base = { width: 0.25, resolution: 64, batch_size: 32, mlp: '512-512-512', epochs: Number(args.epochs) };
const sweep = await call('POST', '/sweeps', {
  projectId: project.id,
  name: 'SIE vs VICReg (width 0.25)',
  method: 'SIE',
  baseConfig: base,
  methodConfig: { SIE: { equi: 64 } },
  searchSpace: { method: { distribution: 'choice', values: ['SIE', 'VICReg'] } },
  strategy: 'grid',
  maxConcurrency: 1,
  seed: 0,
  ...(args.data ? { dataRoot: args.data } : {}),
  ...(args.evaluations
    ? { evaluations: { kinds: args.evaluations.split(','), config: { epochs: Number(args['eval-epochs']) } } }
    : {}),
});

console.log(`\ndemo: project ${project.id}, sweep ${sweep.id} (${sweep.count ?? 2} runs)`);
if (args.web) {
  console.log(`demo: dashboard  ${args.web}/  (API token: ${args.token})`);
  console.log(`demo: sweep      ${args.web}/sweeps/${sweep.id}`);
}
console.log(`demo: API docs   ${args.api}/api/docs`);

const done = new Set(['succeeded', 'failed', 'canceled']);
let last = '';
for (;;) {
  const detail = await call('GET', `/sweeps/${sweep.id}`);
  const line = detail.runs
    .map((run) => `${run.method} ${run.status}${run.totalSteps ? ` ${run.step ?? 0}/${run.totalSteps}` : ''}`)
    .join(' | ');
  if (line !== last) console.log(`demo: ${line}`);
  last = line;
  if (detail.runs.length > 0 && detail.runs.every((run) => done.has(run.status))) {
    for (const run of detail.runs) {
      const full = await call('GET', `/runs/${run.id}`);
      const pick = (key) => full.latestMetrics?.[key]?.value;
      console.log(
        `demo: ${run.method.padEnd(7)} ${run.status}  loss ${pick('Loss/Total loss')?.toFixed(3) ?? '–'}  ` +
          `rotation R² (repr) ${pick('Online eval reprs/R2 representations')?.toFixed(3) ?? '–'}  ` +
          `top-1 ${pick('Online eval reprs/Top-1 representations')?.toFixed(3) ?? '–'}`,
      );
    }
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
}

if (args.evaluations) {
  const finished = new Set(['succeeded', 'failed', 'not_applicable']);
  const kinds = args.evaluations.split(',').length;
  let lastLine = '';
  for (;;) {
    const detail = await call('GET', `/sweeps/${sweep.id}`);
    const evaluations = (await Promise.all(detail.runs.map((run) => call('GET', `/runs/${run.id}/evaluations`)))).flatMap((list) => list.items ?? list);
    const line = `demo: evaluations ${evaluations.filter((e) => finished.has(e.status)).length}/${detail.runs.length * kinds} finished`;
    if (line !== lastLine) console.log(line);
    lastLine = line;
    if (evaluations.length === detail.runs.length * kinds && evaluations.every((e) => finished.has(e.status))) break;
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  for (const part of ['full', 'equi']) {
    const table = await call('GET', `/evaluations/table?sweepId=${sweep.id}&part=${part}`);
    console.log(`\ndemo: evaluation table (part ${part})`);
    console.log(`| method | ${table.columns.map((c) => c.label).join(' | ')} |`);
    console.log(`|---|${table.columns.map(() => '---').join('|')}|`);
    for (const row of table.rows) {
      const cells = table.columns.map((c) => {
        const cell = row.cells[c.key];
        if (!cell || cell.notApplicable) return 'n/a';
        return cell.mean === null ? '–' : cell.mean.toFixed(3);
      });
      console.log(`| ${row.method} | ${cells.join(' | ')} |`);
    }
  }
}
