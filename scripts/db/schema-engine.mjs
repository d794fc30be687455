// Prisma's WebAssembly schema engine driven through @prisma/adapter-pg, so migrations work without Prisma's
// native engine binary (see /work/shared/notes/prisma-offline.md). Used by scripts/migrate.mjs.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);

export const FILTERS = { externalTables: [], externalEnums: [] };

let bgModule;
async function loadWasm() {
  if (bgModule) return bgModule;
  const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const pkgDir = dirname(require.resolve('@prisma/schema-engine-wasm'));
  const bytes = await readFile(join(pkgDir, 'schema_engine_bg.wasm'));
  const module = await WebAssembly.compile(bytes);
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  bgModule = bg;
  return bg;
}

const CHAR_OID = 18;
const TEXT_OID = 25;
const patched = new WeakSet();

/**
 * adapter-pg cannot map Postgres' internal `"char"` type (oid 18), which introspection reads from pg_catalog;
 * rewrite it to text (oid 25) in every result, on the queryable class that owns `performIO`.
 */
function patchCharType(queryable) {
  let proto = Object.getPrototypeOf(queryable);
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'performIO')) proto = Object.getPrototypeOf(proto);
  if (!proto || patched.has(proto)) return;
  const original = proto.performIO;
  proto.performIO = async function performIO(query) {
    const result = await original.call(this, query);
    if (result?.fields) for (const field of result.fields) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    return result;
  };
  patched.add(proto);
}

function charSafeFactory(connectionString) {
  const factory = new PrismaPg({ connectionString });
  const wrap = (method) => async (...args) => {
    const adapter = await method(...args);
    patchCharType(adapter);
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: wrap(factory.connect.bind(factory)),
    connectToShadowDb: wrap(factory.connectToShadowDb.bind(factory)),
  };
}

/** Open an engine on `connectionString` with the schema at `schemaPath`; call `engine.free()` when done. */
export async function openEngine(connectionString, schemaPath, log = () => {}) {
  const bg = await loadWasm();
  const schemaText = await readFile(schemaPath, 'utf8');
  const adapter = bindMigrationAwareSqlAdapterFactory(charSafeFactory(connectionString));
  const engine = await bg.SchemaEngine.new({ datamodels: [[schemaPath, schemaText]] }, log, adapter);
  return { engine, schemaText };
}
