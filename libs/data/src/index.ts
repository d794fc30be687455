export const DATA_PACKAGE = '@equilab/data';
