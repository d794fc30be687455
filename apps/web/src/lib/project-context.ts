/**
 * Where a page's project comes from: the URL itself (`/projects/:id/…`), or the API for a run's page
 * (`/runs/:id`), a sweep's page (`/sweeps/:id`) and Compare (`/compare?runs=a,b`: the first run's project).
 */
export type ProjectSource = { kind: 'project'; id: string } | { kind: 'lookup'; path: string };

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function projectSourceOf(pathname: string, runsParam: string | null): ProjectSource | null {
  const project = new RegExp(`^/projects/(${UUID})`, 'i').exec(pathname);
  if (project) return { kind: 'project', id: project[1]!.toLowerCase() };
  const run = new RegExp(`^/runs/(${UUID})`, 'i').exec(pathname);
  if (run) return { kind: 'lookup', path: `/runs/${run[1]!.toLowerCase()}` };
  const sweep = new RegExp(`^/sweeps/(${UUID})`, 'i').exec(pathname);
  if (sweep) return { kind: 'lookup', path: `/sweeps/${sweep[1]!.toLowerCase()}` };
  if (pathname.startsWith('/compare') && runsParam) {
    const first = runsParam.split(',')[0] ?? '';
    if (new RegExp(`^${UUID}$`, 'i').test(first)) return { kind: 'lookup', path: `/runs/${first.toLowerCase()}` };
  }
  return null;
}
