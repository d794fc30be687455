// Create / drop a PostgreSQL database named by a connection URL, through the `postgres` maintenance database.
import pg from 'pg';

export function databaseName(url) {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL ${redact(url)} names no database`);
  return name;
}

export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

export function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

async function withMaintenance(url, fn) {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at ${redact(url)}: ${error.message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database if it does not exist; returns true when it was created. */
export async function ensureDatabase(url) {
  const name = databaseName(url);
  return withMaintenance(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (error) {
      if (error.code === '42P04') return false; // created concurrently
      throw new Error(`cannot create database "${name}": ${error.message}`);
    }
    return true;
  });
}

export async function dropDatabase(url) {
  const name = databaseName(url);
  await withMaintenance(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}
