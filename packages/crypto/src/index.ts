export * from './provider';
export * from './random';
export * from './errors';
export type * from './keys/types';
