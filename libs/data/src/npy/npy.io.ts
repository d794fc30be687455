import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { DataError } from '../data.error';
import { encodeNpy, parseNpy, type NpyArray } from './npy.format';

function readError(file: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DataError('FILE_MISSING', file, 'no such file');
  return new DataError('FILE_MISSING', file, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
}

export async function readNpy(file: string): Promise<NpyArray> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    throw readError(file, error);
  }
  return parseNpy(buffer, file);
}

export function readNpySync(file: string): NpyArray {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (error) {
    throw readError(file, error);
  }
  return parseNpy(buffer, file);
}

export async function writeNpy(file: string, array: NpyArray): Promise<void> {
  await writeFile(file, encodeNpy(array));
}
