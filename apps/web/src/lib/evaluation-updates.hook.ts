'use client';

import { EVALUATION_UPDATED_EVENT, SOCKET_PATH, SocketEvents, type EvaluationUpdatedEvent } from '@equilab/contracts';
import { useEffect, useRef } from 'react';
import { io } from 'socket.io-client';
import { useToken } from './settings.store';

/**
 * Calls `onUpdate` for every `evaluation:updated` event of `rooms` (run, sweep or project rooms) while mounted.
 * Uses a socket of its own (the shared one in socket.client.ts does not expose custom events).
 */
export function useEvaluationUpdates(rooms: readonly string[], onUpdate: (event: EvaluationUpdatedEvent) => void): void {
  const token = useToken();
  const handler = useRef(onUpdate);
  handler.current = onUpdate;
  const key = rooms.join('|');
  useEffect(() => {
    if (!token || key === '') return undefined;
    const socket = io({ path: SOCKET_PATH, auth: { token }, transports: ['polling', 'websocket'] });
    const join = () => {
      for (const room of key.split('|')) socket.emit(SocketEvents.subscribe, { room }, () => undefined);
    };
    socket.on('connect', join);
    socket.on(EVALUATION_UPDATED_EVENT, (event: EvaluationUpdatedEvent) => handler.current(event));
    return () => {
      socket.disconnect();
    };
  }, [token, key]);
}
