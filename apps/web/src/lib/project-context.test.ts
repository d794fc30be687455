import { expect, test } from 'vitest';
import { projectSourceOf } from './project-context';

const id = '0e5f1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b';
const other = '11111111-2222-4333-8444-555555555555';

test('the project of a page: from the URL, or looked up from the run, the sweep or the first compared run', () => {
  expect(projectSourceOf(`/projects/${id}/runs`, null)).toEqual({ kind: 'project', id });
  expect(projectSourceOf(`/runs/${id}`, null)).toEqual({ kind: 'lookup', path: `/runs/${id}` });
  expect(projectSourceOf(`/sweeps/${id}`, null)).toEqual({ kind: 'lookup', path: `/sweeps/${id}` });
  expect(projectSourceOf('/compare', `${other},${id}`)).toEqual({ kind: 'lookup', path: `/runs/${other}` });
  expect(projectSourceOf('/compare', 'not-an-id')).toBeNull();
  expect(projectSourceOf('/queue', null)).toBeNull();
});
