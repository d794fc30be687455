import { act, render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { getProjectId, getToken, setProjectId, setToken, useStoredProjectId, useToken } from './settings.store';

function Shown() {
  const token = useToken();
  const project = useStoredProjectId();
  return <p data-testid="shown">{`${token ?? 'none'}|${project ?? 'none'}`}</p>;
}

test('the token is trimmed, stored in localStorage and forgotten when empty', () => {
  setToken('  secret  ');
  expect(getToken()).toBe('secret');
  expect(window.localStorage.getItem('equilab.token')).toBe('secret');
  setToken('');
  expect(getToken()).toBeNull();
  setToken('again');
  setToken(null);
  expect(window.localStorage.getItem('equilab.token')).toBeNull();
});

test('components see changes made in this tab and in other tabs', () => {
  render(<Shown />);
  expect(screen.getByTestId('shown').textContent).toBe('none|none');
  act(() => setProjectId('p1'));
  expect(screen.getByTestId('shown').textContent).toBe('none|p1');
  expect(getProjectId()).toBe('p1');
  // Another tab writes localStorage directly and the browser sends a storage event.
  act(() => {
    window.localStorage.setItem('equilab.token', 'from-other-tab');
    window.dispatchEvent(new StorageEvent('storage', { key: 'equilab.token' }));
  });
  expect(screen.getByTestId('shown').textContent).toBe('from-other-tab|p1');
});
