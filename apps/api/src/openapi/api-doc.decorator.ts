import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

export const API_DOC_KEY = 'equilab:api-doc';
export const API_TAG_KEY = 'equilab:api-tag';

/** A non-JSON response body: a file download (`produces` lists its media types). */
export interface FileBody {
  readonly produces: readonly string[];
}

/** What the OpenAPI document says of one route, beside what the route's own decorators say (path, method, status, scopes). */
export interface RouteDoc {
  readonly summary: string;
  /** The route's tag when it is not its controller's (e.g. the runner protocol routes of RunsController). */
  readonly tag?: string;
  /** The JSON body's schema (contracts), validated by the handler. */
  readonly body?: z.ZodType;
  /** A multipart/form-data body: these text fields plus `files` (one or more binary parts). */
  readonly form?: z.ZodObject;
  /** The binary part of `form` when it is one file under another name (e.g. `file`); default `files`, one or more. */
  readonly formFile?: string;
  /** The query string's schema (contracts). */
  readonly query?: z.ZodObject;
  /** The success body: a zod schema, a file, or none. */
  readonly response?: z.ZodType | FileBody;
  /** Other success statuses with their bodies (e.g. a sweep's dry run answers 200 beside the 201 of a created sweep). */
  readonly alsoResponds?: Readonly<Record<number, z.ZodType>>;
  /** Error statuses the route answers beyond those every route of its kind answers (e.g. 404 for a referenced id in the body). */
  readonly errors?: readonly number[];
}

/** Documents a route in the generated OpenAPI document (`buildOpenApiDocument` refuses a route without it). */
export const ApiDoc = (doc: RouteDoc) => SetMetadata(API_DOC_KEY, doc);
/** The OpenAPI tag of a controller's routes. */
export const ApiTag = (tag: string) => SetMetadata(API_TAG_KEY, tag);
