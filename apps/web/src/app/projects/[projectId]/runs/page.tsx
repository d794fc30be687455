import { RunsTable } from './runs-table';

export default async function RunsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <RunsTable projectId={projectId} />;
}
