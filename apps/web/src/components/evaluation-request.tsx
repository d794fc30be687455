'use client';

import { evaluationKinds, evaluationParts, runRoom, type Evaluation, type EvaluationKind, type EvaluationPart } from '@equilab/contracts';
import { useState } from 'react';
import { buttonClass, inputClass } from '@/components/page-header';
import { ApiError, api } from '@/lib/api.client';
import { defaultEvaluationForm, PART_LABELS, validateEvaluationForm } from '@/lib/evaluation-form';
import { useEvaluationUpdates } from '@/lib/evaluation-updates.hook';
import { useApi } from '@/lib/use-api.hook';

function toggle<T>(list: readonly T[], value: T, on: boolean, order: readonly T[]): T[] {
  const next = on ? [...new Set([...list, value])] : list.filter((v) => v !== value);
  return order.filter((v) => next.includes(v));
}

const errorText = 'text-sm text-red-700 dark:text-red-400';

/**
 * The run page's evaluations: request a suite (kinds × parts — by default every kind on the method's parts, full,
 * invariant and equivariant for a split method — and the probes' epochs, checked before sending) for a succeeded
 * run, and the list with results.
 */
export function EvaluationRequestPanel({ runId, method, succeeded }: { runId: string; method: string; succeeded: boolean }) {
  const list = useApi<{ items: Evaluation[] }>(`evaluations:${runId}`, (signal) => api(`/runs/${runId}/evaluations`, { signal }));
  useEvaluationUpdates([runRoom(runId)], () => list.reload());
  const [form, setForm] = useState(() => defaultEvaluationForm(method));
  const [errors, setErrors] = useState<Partial<Record<'kinds' | 'parts' | 'epochs', string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const probes = form.kinds.some((k) => k !== 'retrieval');

  const request = async () => {
    setError(null);
    const checked = validateEvaluationForm(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await api(`/runs/${runId}/evaluations/suite`, { method: 'POST', body: checked.body });
      list.reload();
    } catch (e) {
      const issue = e instanceof ApiError ? e.issues[0] : undefined;
      setError(issue ? `${issue.path}: ${issue.message}` : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="run-evaluations-title" className="mb-6" data-testid="run-evaluations">
      <h2 id="run-evaluations-title" className="mb-2 text-base font-semibold">
        Offline evaluations
      </h2>
      <form
        className="mb-2 flex flex-wrap items-start gap-x-4 gap-y-2"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void request();
        }}
      >
        <fieldset className="text-sm" aria-describedby={errors.kinds ? 'eval-kinds-error' : undefined}>
          <legend className="text-xs text-slate-500">Kinds</legend>
          <div className="flex flex-wrap gap-2">
            {evaluationKinds.map((k) => (
              <label key={k} className="flex items-center gap-1">
                <input type="checkbox" checked={form.kinds.includes(k)} onChange={(e) => setForm({ ...form, kinds: toggle<EvaluationKind>(form.kinds, k, e.target.checked, evaluationKinds) })} />
                {k}
              </label>
            ))}
          </div>
          {errors.kinds ? <p id="eval-kinds-error" className={errorText}>{errors.kinds}</p> : null}
        </fieldset>
        <fieldset className="text-sm" disabled={!probes} aria-describedby={errors.parts ? 'eval-parts-error' : undefined}>
          <legend className="text-xs text-slate-500" title="retrieval always scores the equivariant predictor">
            Parts (probes)
          </legend>
          <div className="flex flex-wrap gap-2">
            {evaluationParts.map((p) => (
              <label key={p} className="flex items-center gap-1">
                <input type="checkbox" checked={form.parts.includes(p)} onChange={(e) => setForm({ ...form, parts: toggle<EvaluationPart>(form.parts, p, e.target.checked, evaluationParts) })} data-testid={`eval-part-${p}`} />
                {PART_LABELS[p]}
              </label>
            ))}
          </div>
          {errors.parts ? <p id="eval-parts-error" className={errorText}>{errors.parts}</p> : null}
        </fieldset>
        <label className="text-sm">
          <span className="block text-xs text-slate-500">Probe epochs</span>
          <input
            aria-label="Epochs"
            inputMode="numeric"
            aria-invalid={errors.epochs ? true : undefined}
            aria-describedby={errors.epochs ? 'eval-epochs-error' : undefined}
            disabled={!probes}
            className={`${inputClass} w-24`}
            value={form.epochs}
            onChange={(e) => setForm({ ...form, epochs: e.target.value })}
          />
          {errors.epochs ? (
            <span id="eval-epochs-error" role="alert" className={`block ${errorText}`}>
              {errors.epochs}
            </span>
          ) : null}
        </label>
        <div className="self-end">
          <button type="submit" className={buttonClass} disabled={!succeeded || busy} title={succeeded ? undefined : 'only succeeded runs can be evaluated'}>
            Request evaluation
          </button>
        </div>
        {error ? (
          <p role="alert" className={`w-full ${errorText}`}>
            {error}
          </p>
        ) : null}
      </form>
      {list.data && list.data.items.length > 0 ? (
        <ul className="space-y-1 text-sm" data-testid="evaluation-list">
          {list.data.items.map((e) => (
            <li key={e.id}>
              <span className="font-medium">{e.kind}</span>
              {typeof e.config['part'] === 'string' ? <span> ({PART_LABELS[e.config['part'] as EvaluationPart] ?? e.config['part']})</span> : null} · {e.status}
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
