import { NextResponse, type NextRequest } from 'next/server';

/**
 * Forwards REST (`/api/*`) and socket.io (`/socket.io/*`) to the API. The target is read per request from
 * `API_URL` (server-side, so one build serves any API), else `NEXT_PUBLIC_API_URL`, else the local default.
 */
export function proxy(request: NextRequest): NextResponse {
  const base = process.env['API_URL'] ?? process.env['NEXT_PUBLIC_API_URL'] ?? 'http://127.0.0.1:4000';
  let pathname = request.nextUrl.pathname;
  if (pathname === '/socket.io') pathname = '/socket.io/';
  const target = new URL(pathname + request.nextUrl.search, base);
  return NextResponse.rewrite(target);
}

export const config = { matcher: ['/api/:path*', '/socket.io/:path*'] };
