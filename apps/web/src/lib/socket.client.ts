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

/** What socket.io's `on`/`off` take for an event of the dashboard's (untyped) socket. */
type SocketListener = Parameters<Socket['on']>[1];

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
    /** Passes on only the events of the rooms this caller joined (the socket carries every caller's rooms). */
    const inRooms =
      <E extends { room: string }>(handle: (event: E) => void) =>
      (event: E) => {
        if (joined.includes(event.room)) handle(event);
      };
    const listeners: Record<string, SocketListener> = {
      connect: update,
      disconnect: update,
      connect_error: onError,
      [SocketEvents.metrics]: inRooms((event: MetricsEvent) => handlersRef.current.metrics?.(event)),
      [SocketEvents.run]: inRooms((event: RunEvent) => handlersRef.current.run?.(event)),
      [SocketEvents.evaluation]: inRooms((event: EvaluationEvent) => handlersRef.current.evaluation?.(event)),
      [SocketEvents.queue]: (event: QueueEvent) => handlersRef.current.queue?.(event),
    };
    for (const [event, listener] of Object.entries(listeners)) socket.on(event, listener);
    for (const room of joined) {
      const count = roomRefs.get(room) ?? 0;
      roomRefs.set(room, count + 1);
      if (count === 0 && socket.connected) socket.emit(SocketEvents.subscribe, { room }, (_ack: SubscribeAck) => undefined);
    }
    update();
    return () => {
      for (const [event, listener] of Object.entries(listeners)) socket.off(event, listener);
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
