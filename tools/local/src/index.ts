export * from './service-process';
export * from './state-pki';
export * from './suite';
