// Writes the OpenAPI document to apps/api/openapi.json (run by the build; commit the result so API changes
// show up in review — a stale committed copy shows as a diff after `npm run build`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from './openapi.document';

const target = join(__dirname, '..', '..', 'openapi.json');
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
