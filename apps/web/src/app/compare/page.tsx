import { Suspense } from 'react';
import { Loading } from '@/components/states';
import { CompareView } from './compare-view';

export default function ComparePage() {
  return (
    <Suspense fallback={<Loading />}>
      <CompareView />
    </Suspense>
  );
}
