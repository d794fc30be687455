'use client';

import { evaluationKinds, runRoom, type Evaluation, type EvaluationKind } from '@equilab/contracts';
import { useState } from 'react';
import { buttonClass, inputClass } from '@/components/page-header';
import { Select } from '@/components/select';
import { api } from '@/lib/api.client';
import { useEvaluationUpdates } from '@/lib/evaluation-updates.hook';
import { useApi } from '@/lib/use-api.hook';

/** The run page's evaluations: request one (kind + epochs) for a succeeded run, and the list with results. */
export function EvaluationRequestPanel({ runId, succeeded }: { runId: string; succeeded: boolean }) {
  const list = useApi<{ items: Evaluation[] }>(`evaluations:${runId}`, (signal) => api(`/runs/${runId}/evaluations`, { signal }));
  useEvaluationUpdates([runRoom(runId)], () => list.reload());
  const [kind, setKind] = useState<EvaluationKind>('classification');
  const [epochs, setEpochs] = useState('50');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const request = async () => {
    setBusy(true);
    setError(null);
    try {
      const config = kind === 'retrieval' ? {} : { epochs: Number(epochs) };
      await api(`/runs/${runId}/evaluations`, { method: 'POST', body: { kind, config } });
      list.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="run-evaluations-title" className="mb-6" data-testid="run-evaluations">
      <h2 id="run-evaluations-title" className="mb-2 text-base font-semibold">
        Offline evaluations
      </h2>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <Select aria-label="Evaluation kind" value={kind} options={evaluationKinds} onChange={(value) => setKind(value as EvaluationKind)} />
        {kind !== 'retrieval' ? (
          <label className="text-sm">
            epochs <input aria-label="Epochs" className={`${inputClass} w-20`} value={epochs} onChange={(e) => setEpochs(e.target.value)} />
          </label>
        ) : null}
        <button type="button" className={buttonClass} disabled={!succeeded || busy} onClick={() => void request()} title={succeeded ? undefined : 'only succeeded runs can be evaluated'}>
          Request evaluation
        </button>
        {error ? <span className="text-sm text-red-700 dark:text-red-400">{error}</span> : null}
      </div>
      {list.data && list.data.items.length > 0 ? (
        <ul className="space-y-1 text-sm">
          {list.data.items.map((e) => (
            <li key={e.id}>
              <span className="font-medium">{e.kind}</span> · {e.status}
              {e.error ? <span className="text-red-700 dark:text-red-400"> · {e.error.split('\n')[0]}</span> : null}
              {e.results.map((r) => (
                <span key={`${r.part}-${r.checkpoint}`} className="ml-2 font-mono text-xs text-slate-600 dark:text-slate-300">
                  [{r.part}, {r.checkpoint}] {r.status === 'not_applicable' ? `n/a (${r.reason ?? ''})` : Object.entries(r.metrics).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' · ')}
                </span>
              ))}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
