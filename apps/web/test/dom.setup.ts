import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// How long waitFor may poll for a condition before failing (a bound, not a delay): generous for a busy machine.
configure({ asyncUtilTimeout: 15_000 });

// jsdom has no matchMedia (uPlot and the colour-scheme hook read it): a light-mode screen that never changes.
Object.defineProperty(window, 'matchMedia', {
  configurable: true,
  value: (query: string): MediaQueryList => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    addListener: () => undefined,
    removeListener: () => undefined,
    dispatchEvent: () => false,
  }),
});

// Unmount what each test rendered and forget what it stored, so tests cannot see each other's state.
afterEach(() => {
  cleanup();
  window.localStorage.clear();
});
