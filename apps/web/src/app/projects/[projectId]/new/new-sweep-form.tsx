'use client';

import type { Run, Sweep, SweepDryRun } from '@equilab/contracts';
import { backendNameSchema } from '@equilab/contracts';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { PageHeader, buttonClass, inputClass, primaryButtonClass } from '@/components/page-header';
import { Select } from '@/components/select';
import { Empty } from '@/components/states';
import { ApiError, api } from '@/lib/api.client';
import { formatValue } from '@/lib/format';
import { methodDefaults, methodFields, methodNames, methodSchema, type FieldSpec } from '@/lib/method-schema';
import { setProjectId } from '@/lib/settings.store';
import { buildRequest, initialAshaState, initialFieldState, runBody, serverErrors, sweepBody, type AshaFormState, type FieldErrors, type FieldMode, type FieldState, type SweepFormState } from '@/lib/sweep-form';

const modeLabels: Record<FieldMode, string> = { fixed: 'fixed', values: 'values', uniform: 'uniform', 'log-uniform': 'log-uniform', 'int-uniform': 'int-uniform' };

function ErrorList({ id, messages }: { id: string; messages: readonly string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <ul id={id} className="mt-1 space-y-0.5 text-xs text-red-600 dark:text-red-400" data-testid="field-error">
      {messages.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}

function FieldRow({ field, state, kind, strategy, errors, onChange }: { field: FieldSpec; state: FieldState; kind: 'sweep' | 'run'; strategy: SweepFormState['strategy']; errors: readonly string[] | undefined; onChange: (next: FieldState) => void }) {
  const id = `field-${field.path.replace(/\W/g, '-')}`;
  const errorId = `${id}-error`;
  const invalid = errors && errors.length > 0;
  const modes: FieldMode[] = kind === 'run' ? ['fixed'] : strategy === 'grid' ? ['fixed', 'values'] : field.kind === 'number' || field.kind === 'integer' ? ['fixed', 'values', 'uniform', 'log-uniform', 'int-uniform'] : ['fixed', 'values'];
  const mode = modes.includes(state.mode) ? state.mode : 'fixed';
  const inputProps = { 'aria-invalid': invalid || undefined, 'aria-describedby': invalid ? errorId : `${id}-help` };
  const border = invalid ? 'border-red-500 dark:border-red-500' : '';
  return (
    <div className={`grid gap-2 border-b border-slate-100 py-2 md:grid-cols-[24rem_8rem_1fr] dark:border-slate-800 ${invalid ? 'bg-red-50/50 dark:bg-red-950/20' : ''}`} data-field={field.path} data-invalid={invalid ? 'true' : undefined}>
      <div className="min-w-0">
        <label htmlFor={id} className="block truncate font-mono text-sm" title={field.path}>
          {field.path}
        </label>
        <p id={`${id}-help`} className="text-xs text-slate-500 dark:text-slate-400">
          {field.description ?? ''} <span className="whitespace-nowrap">(default {formatValue(field.defaultValue)})</span>
        </p>
      </div>
      <div>
        {modes.length > 1 ? (
          <Select value={mode} options={modes.map((m) => ({ value: m, label: modeLabels[m] }))} onChange={(next) => onChange({ ...state, mode: next as FieldMode })} className={`${inputClass} w-full`} aria-label={`${field.path} mode`} data-testid="field-mode" />
        ) : null}
      </div>
      <div>
        {mode === 'fixed' ? (
          field.kind === 'boolean' ? (
            <Select id={id} value={state.value} options={['true', 'false']} onChange={(value) => onChange({ ...state, value })} className={`${inputClass} ${border}`} {...inputProps} />
          ) : field.kind === 'enum' ? (
            <Select id={id} value={state.value} options={(field.options ?? []).map(String)} onChange={(value) => onChange({ ...state, value })} className={`${inputClass} ${border}`} {...inputProps} />
          ) : (
            <input
              id={id}
              value={state.value}
              inputMode={field.kind === 'number' || field.kind === 'integer' ? 'decimal' : undefined}
              onChange={(e) => onChange({ ...state, value: e.target.value })}
              className={`${inputClass} ${border} w-full max-w-md font-mono`}
              {...inputProps}
            />
          )
        ) : mode === 'values' ? (
          <input
            id={id}
            value={state.values}
            onChange={(e) => onChange({ ...state, values: e.target.value })}
            placeholder={field.kind === 'json' ? 'JSON array of values' : field.kind === 'enum' ? (field.options ?? []).join(', ') : 'comma-separated values, e.g. 0.1, 0.3'}
            className={`${inputClass} ${border} w-full max-w-md font-mono`}
            {...inputProps}
          />
        ) : (
          <div className="flex flex-wrap items-center gap-2">
            <label className="flex items-center gap-1 text-xs">
              min
              <input id={id} value={state.min} onChange={(e) => onChange({ ...state, min: e.target.value })} className={`${inputClass} ${border} w-28 font-mono`} {...inputProps} />
            </label>
            <label className="flex items-center gap-1 text-xs">
              max
              <input value={state.max} onChange={(e) => onChange({ ...state, max: e.target.value })} className={`${inputClass} ${border} w-28 font-mono`} aria-label={`${field.path} max`} />
            </label>
          </div>
        )}
        <ErrorList id={errorId} messages={errors} />
      </div>
    </div>
  );
}

const ashaFields: { key: keyof Omit<AshaFormState, 'mode'>; label: string; help: string }[] = [
  { key: 'minEpochs', label: 'Min epochs', help: 'epochs of the first rung' },
  { key: 'maxEpochs', label: 'Max epochs', help: 'epochs of the last rung (every run’s epochs)' },
  { key: 'eta', label: 'η', help: 'reduction factor: the top 1/η of a rung is promoted; rungs are η times longer' },
  { key: 'maxRuns', label: 'Max configurations', help: 'configurations tried at most' },
  { key: 'brackets', label: 'Brackets', help: 'early-stopping rates tried at once (Determined’s adaptive brackets)' },
];

function AshaFields({ value, onChange, shown }: { value: AshaFormState; onChange: (next: AshaFormState, touched: string) => void; shown: (key: string) => string[] | undefined }) {
  return (
    <fieldset className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-testid="asha-options">
      <legend className="px-1 text-xs text-slate-500">ASHA — configurations are drawn as random draws them; each trains to a rung, the best 1/η go on, the rest pause and end stopped</legend>
      {ashaFields.map(({ key, label, help }) => (
        <label key={key} className="flex flex-col gap-1 text-sm" title={help}>
          <span className="text-xs text-slate-500">{label}</span>
          <input value={value[key]} onChange={(e) => onChange({ ...value, [key]: e.target.value }, `$asha.${key}`)} className={`${inputClass} w-24`} inputMode="numeric" data-testid={`asha-${key}`} />
          <ErrorList id={`asha-${key}-error`} messages={shown(`$asha.${key}`)} />
        </label>
      ))}
      <label className="flex flex-col gap-1 text-sm" title="Any logged metric key, e.g. Loss/Total or an online R² key">
        <span className="text-xs text-slate-500">Metric</span>
        <input value={value.metric} onChange={(e) => onChange({ ...value, metric: e.target.value }, '$asha.metric')} className={`${inputClass} w-64 font-mono`} data-testid="asha-metric" />
        <ErrorList id="asha-metric-error" messages={shown('$asha.metric')} />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-xs text-slate-500">Mode</span>
        <Select value={value.mode} options={['min', 'max']} onChange={(mode) => onChange({ ...value, mode: mode as 'min' | 'max' }, '$asha.mode')} data-testid="asha-mode" />
      </label>
    </fieldset>
  );
}

export function NewSweepForm({ projectId }: { projectId: string }) {
  const router = useRouter();
  const methods = useMemo(() => methodNames(), []);
  const [state, setState] = useState<SweepFormState>(() => ({ kind: 'sweep', name: '', method: methods[0] ?? '', strategy: 'grid', count: '8', seed: '0', replicates: '1', asha: initialAshaState, maxConcurrency: '4', backend: 'wasm', fields: {} }));
  const fields = useMemo(() => methodFields(state.method), [state.method]);
  const defaults = useMemo(() => methodDefaults(state.method), [state.method]);
  const schema = methodSchema(state.method);
  const [attempted, setAttempted] = useState(false);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [server, setServer] = useState<FieldErrors>({});
  /** The last dry run's answer, for the request `key`. */
  const [dryResult, setDryResult] = useState<{ key: string | null; count: number | null; error: string | null }>({ key: null, count: null, error: null });
  const [submitting, setSubmitting] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => setProjectId(projectId), [projectId]);

  const fieldState = (field: FieldSpec): FieldState => state.fields[field.path] ?? initialFieldState(field);
  const built = useMemo(() => buildRequest(state, fields, defaults, schema), [state, fields, defaults, schema]);
  const clientValid = Object.keys(built.errors).length === 0;
  const shown = (key: string): string[] | undefined => {
    const messages = [...(attempted || touched.has(key) ? (built.errors[key] ?? []) : []), ...(server[key] ?? [])];
    return messages.length > 0 ? messages : undefined;
  };

  // Server dry run: how many runs the sweep expands to (and the server's own validation).
  const dryKey = state.kind === 'sweep' && clientValid ? JSON.stringify(sweepBody(state, projectId, built, true)) : null;
  useEffect(() => {
    if (dryKey === null) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<SweepDryRun>('/sweeps', { method: 'POST', body: JSON.parse(dryKey) as unknown, signal: controller.signal })
        .then((result) => {
          setDryResult({ key: dryKey, count: result.runs.length, error: null });
          setServer({});
        })
        .catch((reason: unknown) => {
          if (controller.signal.aborted) return;
          if (reason instanceof ApiError && reason.issues.length > 0) setServer(serverErrors(reason.issues, fields));
          setDryResult({ key: dryKey, count: null, error: reason instanceof Error ? reason.message : String(reason) });
        });
    }, 400);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [dryKey, projectId, fields]);
  const dryRun = dryKey !== null && dryResult.key === dryKey ? { loading: false, count: dryResult.count, error: dryResult.error } : { loading: dryKey !== null, count: null, error: null };

  const update = (patch: Partial<SweepFormState>, touchedKey?: string) => {
    setState((s) => ({ ...s, ...patch }));
    setServer({});
    if (touchedKey) setTouched((t) => new Set(t).add(touchedKey));
  };
  const updateField = (path: string, next: FieldState) => update({ fields: { ...state.fields, [path]: next } }, path);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (!clientValid) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setSubmitting(true);
    try {
      if (state.kind === 'sweep') {
        const sweep = await api<Sweep>('/sweeps', { method: 'POST', body: sweepBody(state, projectId, built, false) });
        router.push(`/sweeps/${sweep.id}`);
      } else {
        const run = await api<Run>('/runs', { method: 'POST', body: runBody(state, projectId, built) });
        router.push(`/runs/${run.id}`);
      }
    } catch (reason) {
      if (reason instanceof ApiError && reason.issues.length > 0) setServer(serverErrors(reason.issues, fields));
      else setServer({ $general: [reason instanceof Error ? reason.message : String(reason)] });
      setSubmitting(false);
    }
  };

  if (methods.length === 0) {
    return (
      <>
        <PageHeader title="New sweep" />
        <Empty title="No method schemas available">The installed @equilab/contracts exports no method config schemas (methodConfigSchemas); rebuild it and this page lists the methods.</Empty>
      </>
    );
  }

  const errorCount = Object.keys(built.errors).length + Object.keys(server).length;

  return (
    <>
      <PageHeader title={state.kind === 'sweep' ? 'New sweep' : 'New run'} subtitle="Fields, defaults and help come from the method’s config schema." />
      <form ref={formRef} onSubmit={(event) => void submit(event)} noValidate className="space-y-4" data-testid="new-sweep-form">
        <div className="flex flex-wrap items-end gap-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
          <fieldset className="flex flex-col gap-1">
            <legend className="text-xs text-slate-500">Submit</legend>
            <div className="flex gap-3 text-sm">
              {(['sweep', 'run'] as const).map((kind) => (
                <label key={kind} className="flex items-center gap-1">
                  <input type="radio" name="kind" value={kind} checked={state.kind === kind} onChange={() => update({ kind })} className="accent-sky-600" />
                  {kind === 'sweep' ? 'a sweep' : 'a single run'}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="flex flex-col gap-1 text-sm">
            <span className="text-xs text-slate-500">Method</span>
            <Select value={state.method} options={methods} onChange={(method) => update({ method, fields: {} })} data-testid="method-select" />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            <span className="text-xs text-slate-500">Name{state.kind === 'run' ? ' (optional)' : ''}</span>
            <input value={state.name} onChange={(e) => update({ name: e.target.value }, '$name')} className={`${inputClass} w-56`} aria-invalid={shown('$name') ? true : undefined} data-testid="sweep-name" />
            <ErrorList id="name-error" messages={shown('$name')} />
          </label>
          {state.kind === 'sweep' ? (
            <>
              <label className="flex flex-col gap-1 text-sm">
                <span className="text-xs text-slate-500">Strategy</span>
                <select value={state.strategy} onChange={(e) => update({ strategy: e.target.value as SweepFormState['strategy'] }, '$strategy')} className={inputClass} data-testid="strategy-select">
                  <option value="grid">grid</option>
                  <option value="random">random</option>
                  <option value="asha">asha (adaptive early stopping)</option>
                </select>
                <ErrorList id="strategy-error" messages={shown('$strategy')} />
              </label>
              {state.strategy === 'random' ? (
                <label className="flex flex-col gap-1 text-sm">
                  <span className="text-xs text-slate-500">Runs</span>
                  <input value={state.count} onChange={(e) => update({ count: e.target.value }, '$count')} className={`${inputClass} w-20`} inputMode="numeric" />
                  <ErrorList id="count-error" messages={shown('$count')} />
                </label>
              ) : null}
              <label className="flex flex-col gap-1 text-sm">
                <span className="text-xs text-slate-500" title="Runs per configuration, with seeds seed … seed+N−1 of the config's seed field">Replicates (seeds)</span>
                <input value={state.replicates ?? '1'} onChange={(e) => update({ replicates: e.target.value }, '$replicates')} className={`${inputClass} w-20`} inputMode="numeric" data-testid="replicates" />
                <ErrorList id="replicates-error" messages={shown('$replicates')} />
              </label>
              <label className="flex flex-col gap-1 text-sm">
                <span className="text-xs text-slate-500">Max concurrency</span>
                <input value={state.maxConcurrency} onChange={(e) => update({ maxConcurrency: e.target.value }, '$maxConcurrency')} className={`${inputClass} w-20`} inputMode="numeric" />
                <ErrorList id="mc-error" messages={shown('$maxConcurrency')} />
              </label>
            </>
          ) : null}
          {state.kind === 'sweep' && state.strategy !== 'grid' ? (
            <label className="flex flex-col gap-1 text-sm">
              <span className="text-xs text-slate-500" title="Seeds the searcher's draws of configurations; each run's training seed is the config's seed field below">Search seed</span>
              <input value={state.seed} onChange={(e) => update({ seed: e.target.value }, '$seed')} className={`${inputClass} w-24`} inputMode="numeric" data-testid="search-seed" />
              <ErrorList id="seed-error" messages={shown('$seed')} />
            </label>
          ) : null}
          <label className="flex flex-col gap-1 text-sm">
            <span className="text-xs text-slate-500">Backend</span>
            <Select value={state.backend} options={backendNameSchema.options} onChange={(backend) => update({ backend })} />
          </label>
        </div>

        {state.kind === 'sweep' && state.strategy === 'asha' ? (
          <AshaFields value={state.asha ?? initialAshaState} onChange={(asha, key) => update({ asha }, key)} shown={shown} />
        ) : null}

        <section aria-labelledby="fields-title" className="rounded-lg border border-slate-200 px-4 py-2 dark:border-slate-800">
          <h2 id="fields-title" className="py-2 text-sm font-semibold">
            {state.method} config{' '}
            <span className="font-normal text-slate-500">
              {state.kind === 'sweep' ? '— keep a field fixed, give it a list of values, or (random) a distribution' : '— values that differ from the defaults are sent as overrides'}
            </span>
          </h2>
          {fields.length === 0 ? <p className="py-2 text-sm text-slate-500">This method’s schema has no fields.</p> : null}
          {fields.map((field) => (
            <FieldRow key={field.path} field={field} state={fieldState(field)} kind={state.kind} strategy={state.strategy} errors={shown(field.path)} onChange={(next) => updateField(field.path, next)} />
          ))}
          {(built.errors['(config)'] && attempted) || server['$general'] ? <ErrorList id="general-error" messages={[...(attempted ? (built.errors['(config)'] ?? []) : []), ...(server['$general'] ?? [])]} /> : null}
          {attempted ? <ErrorList id="search-error" messages={built.errors['$search']} /> : null}
        </section>

        <div className="sticky bottom-0 flex flex-wrap items-center gap-4 border-t border-slate-200 bg-white/95 py-3 dark:border-slate-800 dark:bg-slate-950/95">
          <button type="submit" className={primaryButtonClass} disabled={submitting} data-testid="submit-sweep">
            {submitting ? 'Submitting…' : state.kind === 'sweep' ? 'Start sweep' : 'Start run'}
          </button>
          <button type="button" className={buttonClass} onClick={() => router.back()}>
            Cancel
          </button>
          <span className="text-sm" aria-live="polite" data-testid="sweep-count" data-count={state.kind === 'run' ? 1 : (dryRun.count ?? '')}>
            {state.kind === 'run'
              ? '1 run'
              : !clientValid
                ? <span className="text-slate-500">{attempted ? `${errorCount} field${errorCount === 1 ? '' : 's'} to fix` : 'fill in the form to see the run count'}</span>
                : dryRun.loading
                  ? 'counting runs…'
                  : dryRun.count !== null
                    ? <>expands to <strong>{dryRun.count}</strong> run{dryRun.count === 1 ? '' : 's'}</>
                    : dryRun.error
                      ? <span className="text-red-600 dark:text-red-400">dry run failed: {dryRun.error}</span>
                      : null}
          </span>
        </div>
      </form>
    </>
  );
}
