export * from './provider';
export * from './keys';
export * from './service-pki';
