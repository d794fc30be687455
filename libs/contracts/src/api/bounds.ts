import { z } from 'zod';
import { MAX_NAME_LENGTH } from './annotations.api';

/**
 * Bounds of every stored string and number (issue #12): one declaration here, used by every request schema, so the
 * OpenAPI document states them and the API answers 400 naming the field instead of letting PostgreSQL fail.
 */

/**
 * Largest integer any integer field takes (steps, epochs, counts, seeds, attempts, threads, devices): PostgreSQL
 * `int4`'s maximum, 2^31 − 1. One rule for every integer column, so no value the schemas allow overflows one.
 * (Byte sizes, stored as `bigint`, are the one exception: up to 2^53 − 1.)
 */
export const MAX_INT4 = 2 ** 31 - 1;

/** A non-negative integer that fits PostgreSQL `int4` (0 … 2^31 − 1). */
export const int4 = () => z.number().int().min(0).max(MAX_INT4);
/** The same, read from a query string. */
export const int4Query = () => z.coerce.number().int().min(0).max(MAX_INT4);

/**
 * Strings never hold NUL (U+0000): PostgreSQL `text` and `jsonb` cannot store it. Refused in every string of a
 * JSON body (also inside free-form configs) and in every query-string value.
 */
// eslint-disable-next-line no-control-regex -- the NUL character is what this pattern refuses
export const NUL_FREE = /^[^\u0000]*$/;
export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';

/** Length caps (UTF-16 code units) of the stored strings; names: `MAX_NAME_LENGTH` (200, annotations.api.ts). */
/** Project descriptions. */
export const MAX_DESCRIPTION_LENGTH = 5000;
/** A run's or an evaluation's error text (a stack trace fits). */
export const MAX_ERROR_LENGTH = 20_000;
/**
 * A file path (artifact path relative to the store, dataset root). 512 code units are at most 1,536 UTF-8 bytes,
 * under the 2,704 bytes a PostgreSQL b-tree index row may hold (the artifact path is in a unique index).
 */
export const MAX_PATH_LENGTH = 512;
/** Short identifiers: backend names, method names, device labels, checkpoint names. */
export const MAX_LABEL_LENGTH = 200;

/** A stored string of at most `max` code units, without NUL (`min` 1 unless given). */
export function text(max: number, min = 1): z.ZodString {
  return z.string().min(min).max(max).regex(NUL_FREE, NUL_MESSAGE);
}

/** A name: trimmed, 1 … MAX_NAME_LENGTH code units, no NUL. */
export const nameText = () => z.string().trim().min(1).max(MAX_NAME_LENGTH).regex(NUL_FREE, NUL_MESSAGE);

/**
 * Wall times (milliseconds since the Unix epoch) run from 1970-01-01 to 9999-12-31T23:59:59.999Z: the range every
 * export writes as an ISO 8601 date with a four-digit year. A runner's clock far outside it is a bug, answered 400.
 */
export const MIN_WALL_TIME_MS = 0;
export const MAX_WALL_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const wallTimeMs = () => z.number().int().min(MIN_WALL_TIME_MS).max(MAX_WALL_TIME_MS);
