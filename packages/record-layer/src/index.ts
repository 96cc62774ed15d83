export * from './alerts';
export * from './errors';
export * from './codec';
