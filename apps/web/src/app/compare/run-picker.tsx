'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { inputClass, primaryButtonClass } from '@/components/page-header';
import { parseRunIds } from './compare-model';

/** Paste run ids (commas or spaces between them) to compare them. */
export function RunPicker({ initial }: { initial: string }) {
  const router = useRouter();
  const [text, setText] = useState(initial);
  const ids = parseRunIds(text);
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        router.push(`/compare?runs=${ids.join(',')}`);
      }}
    >
      <label htmlFor="compare-ids" className="text-sm">
        Run ids
      </label>
      <input id="compare-ids" value={text} onChange={(e) => setText(e.target.value)} className={`${inputClass} w-[36rem] max-w-full font-mono`} placeholder="comma-separated run ids" />
      <button type="submit" className={primaryButtonClass} disabled={ids.length < 1}>
        Compare
      </button>
    </form>
  );
}
