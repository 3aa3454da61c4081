export * from './podid-error';
export * from './kinds';
