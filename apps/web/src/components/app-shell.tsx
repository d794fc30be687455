'use client';

import type { ProjectList } from '@equilab/contracts';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, type ReactNode } from 'react';
import { ApiError, api } from '@/lib/api.client';
import { projectSourceOf } from '@/lib/project-context';
import { setProjectId, useStoredProjectId } from '@/lib/settings.store';
import { useApi } from '@/lib/use-api.hook';
import { TokenDialog } from './token-dialog';

/**
 * The project the page is about: from the URL when it names one; on a run's, a sweep's or Compare's page, the
 * project of that run or sweep (looked up, so a link opened in a fresh browser keeps its project's links); else
 * the last one chosen.
 */
export function useCurrentProjectId(): string | null {
  const pathname = usePathname();
  const search = useSearchParams();
  const stored = useStoredProjectId();
  const source = projectSourceOf(pathname ?? '/', search?.get('runs') ?? null);
  const lookup = source?.kind === 'lookup' ? source.path : null;
  const looked = useApi<{ projectId: string }>(lookup ? `project-of:${lookup}` : null, (signal) => api<{ projectId: string }>(lookup ?? '/', { signal }));
  const found = source?.kind === 'project' ? source.id : looked.data?.projectId;
  useEffect(() => {
    if (found && found !== stored) setProjectId(found);
  }, [found, stored]);
  return found ?? stored ?? null;
}

function NavLink({ href, children, active }: { href: string; children: ReactNode; active: boolean }) {
  return (
    <Link href={href} aria-current={active ? 'page' : undefined} className={`shrink-0 rounded px-2 py-0.5 text-sm sm:py-1 ${active ? 'bg-slate-200 font-medium dark:bg-slate-800' : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`}>
      {children}
    </Link>
  );
}

/** The project picker and the links of the current project (needs the query string: rendered inside Suspense). */
function ProjectNav({ projects }: { projects: ReturnType<typeof useApi<ProjectList>> }) {
  const pathname = usePathname() ?? '/';
  const router = useRouter();
  const projectId = useCurrentProjectId();
  return (
    <>
      <label className="order-2 flex min-w-0 items-center gap-1 text-sm">
        <span className="sr-only">Project</span>
        <select
          value={projectId ?? ''}
          onChange={(e) => {
            const id = e.target.value;
            setProjectId(id || null);
            if (id) router.push(`/projects/${id}/runs`);
          }}
          className="max-w-[10rem] rounded border border-slate-300 bg-white px-2 py-1 text-sm sm:max-w-[14rem] dark:border-slate-700 dark:bg-slate-900"
          aria-label="Project"
          data-testid="project-select"
        >
          <option value="">{projects.loading && !projects.data ? 'Loading projects…' : 'Choose a project'}</option>
          {projects.data?.items.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      {/* Narrow screens: the links on a second line of their own that scrolls sideways if it must (the page never does). */}
      <nav aria-label="Main" className="order-4 flex w-full items-center gap-1 overflow-x-auto whitespace-nowrap sm:order-3 sm:w-auto sm:flex-wrap sm:overflow-visible">
        {projectId ? (
          <>
            <NavLink href={`/projects/${projectId}/runs`} active={pathname.endsWith('/runs')}>
              Runs
            </NavLink>
            <NavLink href={`/projects/${projectId}/sweeps`} active={pathname.endsWith('/sweeps')}>
              Sweeps
            </NavLink>
            <NavLink href={`/projects/${projectId}/new`} active={pathname.endsWith('/new')}>
              New sweep
            </NavLink>
          </>
        ) : null}
        <NavLink href="/compare" active={pathname.startsWith('/compare')}>
          Compare
        </NavLink>
        <NavLink href="/queue" active={pathname.startsWith('/queue')}>
          Queue
        </NavLink>
      </nav>
    </>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const projects = useApi<ProjectList>('projects', (signal) => api<ProjectList>('/projects', { signal }));
  const tokenRejected = projects.error instanceof ApiError && (projects.error.status === 401 || projects.error.status === 403);

  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-1 dark:focus:bg-slate-900">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        {/* One line from 640 px; below, two: brand, project and token, then the links (about 70 px in all). */}
        <div className="mx-auto flex max-w-[1600px] flex-wrap items-center gap-x-3 gap-y-1 px-3 py-1.5 sm:px-4 sm:py-2">
          <Link href="/" className="order-1 font-semibold tracking-tight sm:mr-2">
            Equilab
          </Link>
          <Suspense fallback={null}>
            <ProjectNav projects={projects} />
          </Suspense>
          <div className="order-3 ml-auto shrink-0 sm:order-last">
            <TokenDialog rejected={tokenRejected} />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-[1600px] flex-1 px-3 py-3 sm:px-4 sm:py-4">
        {children}
      </main>
    </div>
  );
}
