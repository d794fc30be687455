import { Suspense } from 'react';
import { Loading } from '@/components/states';
import { RunsView } from './runs-view';

export default async function RunsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  // The table's query lives in the URL (useSearchParams): rendered on the client.
  return (
    <Suspense fallback={<Loading label="Loading runs…" />}>
      <RunsView projectId={projectId} />
    </Suspense>
  );
}
