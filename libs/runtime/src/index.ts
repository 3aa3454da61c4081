export * from './ops-server';
export * from './run-main';
export * from './service-fields';
