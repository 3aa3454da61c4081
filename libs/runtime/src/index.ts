export * from './ops-server';
export * from './run-main';
export * from './serve-grpc';
export * from './service-fields';
