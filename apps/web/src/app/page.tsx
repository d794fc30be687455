'use client';

import type { Project, ProjectList } from '@equilab/contracts';
import Link from 'next/link';
import { useState } from 'react';
import { PageHeader, inputClass, primaryButtonClass } from '@/components/page-header';
import { Async, Empty } from '@/components/states';
import { ApiError, api } from '@/lib/api.client';
import { setProjectId } from '@/lib/settings.store';
import { useApi } from '@/lib/use-api.hook';

export default function ProjectsPage() {
  const projects = useApi<ProjectList>('projects', (signal) => api<ProjectList>('/projects', { signal }));
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api<Project>('/projects', { method: 'POST', body: { name } });
      setName('');
      projects.reload();
    } catch (reason) {
      setError(reason instanceof ApiError ? (reason.issues[0] ? `${reason.issues[0].path}: ${reason.issues[0].message}` : reason.message) : String(reason));
    }
  };

  return (
    <>
      <PageHeader title="Projects" subtitle="Each project holds runs and sweeps." />
      <form onSubmit={(event) => void create(event)} className="mb-4 flex flex-wrap items-center gap-2">
        <label className="text-sm" htmlFor="project-name">
          New project
        </label>
        <input id="project-name" value={name} onChange={(e) => setName(e.target.value)} className={inputClass} placeholder="name" />
        <button type="submit" className={primaryButtonClass} disabled={!name.trim()}>
          Create
        </button>
        {error ? <span role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</span> : null}
      </form>
      <Async state={projects} loadingLabel="Loading projects…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty title="No projects yet">Create one above, or submit runs through the API.</Empty>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
              {data.items.map((project) => (
                <li key={project.id}>
                  <Link href={`/projects/${project.id}/runs`} onClick={() => setProjectId(project.id)} className="block rounded-lg border border-slate-200 p-4 hover:border-sky-400 dark:border-slate-800 dark:hover:border-sky-600">
                    <div className="font-medium">{project.name}</div>
                    {project.description ? <p className="mt-1 line-clamp-2 text-sm text-slate-500">{project.description}</p> : null}
                    <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
                      {Object.entries(project.runCounts).map(([status, n]) => `${n} ${status}`).join(' · ') || 'no runs'}
                    </p>
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </>
  );
}
