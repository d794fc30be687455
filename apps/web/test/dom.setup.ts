import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Unmount what each test rendered and forget what it stored, so tests cannot see each other's state.
afterEach(() => {
  cleanup();
  window.localStorage.clear();
});
