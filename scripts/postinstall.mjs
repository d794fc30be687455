// Root postinstall (npm 11 runs this one even when dependencies' install scripts are skipped):
// generate the Prisma client offline.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync('node_modules/prisma/build/index.js')) {
  execFileSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate', '--config', 'prisma/prisma.config.ts'], {
    stdio: 'inherit',
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || '/bin/false', CHECKPOINT_DISABLE: '1' },
  });
}

// Apply patches/ with patch-package (the tfjs wasm backend's Node bundle: threaded build in Node, see
// libs/sie/src/backend/select-backend.ts). Idempotent: an already-applied patch is left as is.
if (existsSync('node_modules/patch-package/index.js') && existsSync('patches')) {
  execFileSync(process.execPath, ['node_modules/patch-package/index.js'], { stdio: 'inherit' });
}
