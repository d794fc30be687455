export const INTEROP_PACKAGE = '@equilab/interop';
