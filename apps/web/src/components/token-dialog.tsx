'use client';

import { useEffect, useRef, useState } from 'react';
import { setToken, useToken } from '@/lib/settings.store';

/** Asks for the API token once; it is stored in localStorage. Opens by itself when no token is stored. */
export function TokenDialog({ rejected = false }: { rejected?: boolean }) {
  const token = useToken();
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');

  useEffect(() => {
    if (token === null && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [token]);

  const open = () => {
    setValue(token ?? '');
    dialog.current?.showModal();
  };

  return (
    <>
      <button
        type="button"
        onClick={open}
        className={`rounded border px-2 py-1 text-xs ${rejected ? 'border-red-400 text-red-700 hover:bg-red-50 dark:border-red-700 dark:text-red-300 dark:hover:bg-red-950' : 'border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800'}`}
        data-testid="open-token-dialog"
        data-rejected={rejected ? 'true' : undefined}
        title={rejected ? 'the API refused this token' : undefined}
      >
        {rejected ? 'API token ✗ rejected' : token ? 'API token ✓' : 'Set API token'}
      </button>
      <dialog ref={dialog} className="m-auto w-[28rem] max-w-[95vw] rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-black/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100" aria-labelledby="token-title">
        <form
          method="dialog"
          className="space-y-3 p-5"
          onSubmit={() => {
            setToken(value);
          }}
        >
          <h2 id="token-title" className="text-base font-semibold">
            API token
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Paste a token created with the API (<code>Bearer</code> auth). It is kept in this browser’s local storage only.
          </p>
          <input
            name="token"
            type="password"
            autoComplete="off"
            autoFocus
            value={value}
            onChange={(e) => setValue(e.target.value)}
            className="w-full rounded border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm dark:border-slate-700 dark:bg-slate-950"
            aria-label="API token"
            data-testid="token-input"
          />
          <div className="flex justify-end gap-2">
            {token ? (
              <button type="button" onClick={() => { setToken(null); dialog.current?.close(); }} className="rounded px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950">
                Forget token
              </button>
            ) : null}
            <button type="button" onClick={() => dialog.current?.close()} className="rounded px-3 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
              Cancel
            </button>
            <button type="submit" className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700" data-testid="token-save">
              Save
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
