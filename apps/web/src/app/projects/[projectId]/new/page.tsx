import { NewSweepForm } from './new-sweep-form';

export default async function NewSweepPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <NewSweepForm projectId={projectId} />;
}
