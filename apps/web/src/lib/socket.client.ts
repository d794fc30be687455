'use client';

import {
  SOCKET_PATH,
  SocketEvents,
  type EvaluationEvent,
  type MetricsEvent,
  type QueueEvent,
  type RunEvent,
  type SubscribeAck,
} from '@equilab/contracts';
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { useToken } from './settings.store';

let shared: { socket: Socket; token: string } | null = null;
const roomRefs = new Map<string, number>();

/** One socket per page, connected to the dashboard origin (`/socket.io` is forwarded to the API). */
function socketFor(token: string): Socket {
  if (shared && shared.token === token) return shared.socket;
  shared?.socket.disconnect();
  roomRefs.clear();
  const socket = io({ path: SOCKET_PATH, auth: { token }, transports: ['polling', 'websocket'] });
  // Re-join every room after a reconnect.
  socket.on('connect', () => {
    for (const room of roomRefs.keys()) socket.emit(SocketEvents.subscribe, { room }, () => undefined);
  });
  shared = { socket, token };
  return socket;
}

export type LiveStatus = 'connecting' | 'live' | 'offline' | 'unauthorized';

export interface LiveHandlers {
  metrics?: (event: MetricsEvent) => void;
  run?: (event: RunEvent) => void;
  evaluation?: (event: EvaluationEvent) => void;
  queue?: (event: QueueEvent) => void;
}

/** Joins `rooms` while mounted and calls the handlers for events of those rooms; returns the connection state. */
export function useLive(rooms: readonly string[], handlers: LiveHandlers): LiveStatus {
  const token = useToken();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlersRef = useRef(handlers);
  // The latest handlers, without re-joining rooms when a caller passes new functions.
  useEffect(() => {
    handlersRef.current = handlers;
  });
  const roomKey = rooms.join('|');

  useEffect(() => {
    if (!token || roomKey === '') return undefined;
    const socket = socketFor(token);
    const joined = roomKey.split('|');
    const update = () => setStatus(socket.connected ? 'live' : 'connecting');
    const onError = (error: Error) => setStatus(error.message === 'unauthorized' ? 'unauthorized' : 'offline');
    const inRooms = (room: string) => joined.includes(room);
    const onMetrics = (event: MetricsEvent) => {
      if (inRooms(event.room)) handlersRef.current.metrics?.(event);
    };
    const onRun = (event: RunEvent) => {
      if (inRooms(event.room)) handlersRef.current.run?.(event);
    };
    const onEvaluation = (event: EvaluationEvent) => {
      if (inRooms(event.room)) handlersRef.current.evaluation?.(event);
    };
    const onQueue = (event: QueueEvent) => handlersRef.current.queue?.(event);
    socket.on('connect', update);
    socket.on('disconnect', update);
    socket.on('connect_error', onError);
    socket.on(SocketEvents.metrics, onMetrics);
    socket.on(SocketEvents.run, onRun);
    socket.on(SocketEvents.evaluation, onEvaluation);
    socket.on(SocketEvents.queue, onQueue);
    for (const room of joined) {
      const count = roomRefs.get(room) ?? 0;
      roomRefs.set(room, count + 1);
      if (count === 0 && socket.connected) socket.emit(SocketEvents.subscribe, { room }, (_ack: SubscribeAck) => undefined);
    }
    update();
    return () => {
      socket.off('connect', update);
      socket.off('disconnect', update);
      socket.off('connect_error', onError);
      socket.off(SocketEvents.metrics, onMetrics);
      socket.off(SocketEvents.run, onRun);
      socket.off(SocketEvents.evaluation, onEvaluation);
      socket.off(SocketEvents.queue, onQueue);
      for (const room of joined) {
        const count = (roomRefs.get(room) ?? 1) - 1;
        if (count <= 0) {
          roomRefs.delete(room);
          if (socket.connected) socket.emit(SocketEvents.unsubscribe, { room });
        } else roomRefs.set(room, count);
      }
    };
  }, [token, roomKey]);

  return token ? status : 'offline';
}
