import { parseEnv, webEnvSchema, type WebEnv } from '@equilab/contracts';
import { NextResponse, type NextRequest } from 'next/server';

let env: WebEnv | undefined;

/**
 * Forwards REST (`/api/*`) and socket.io (`/socket.io/*`) to the API: `API_URL` (server-side, so one build
 * serves any API), else `NEXT_PUBLIC_API_URL`, else the local default — parsed once, on the first request (a
 * malformed URL fails with the variable named).
 */
export function proxy(request: NextRequest): NextResponse {
  env ??= parseEnv('web', webEnvSchema);
  const base = env.apiUrl;
  let pathname = request.nextUrl.pathname;
  if (pathname === '/socket.io') pathname = '/socket.io/';
  const target = new URL(pathname + request.nextUrl.search, base);
  return NextResponse.rewrite(target);
}

export const config = { matcher: ['/api/:path*', '/socket.io/:path*'] };
