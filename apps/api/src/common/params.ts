import { idParamSchema } from '@equilab/contracts';
import { parseInput } from './app-error';

/** A `:id` route parameter that must be a UUID (400 naming `id` otherwise). */
export function parseId(id: unknown): string {
  return parseInput(idParamSchema, { id }).id;
}
