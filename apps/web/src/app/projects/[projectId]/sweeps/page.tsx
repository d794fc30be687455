import { SweepList } from './sweep-list';

export default async function SweepsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <SweepList projectId={projectId} />;
}
