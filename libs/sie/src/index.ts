export const SIE_PACKAGE = '@equilab/sie';
