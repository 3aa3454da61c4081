export * from './platform-client';
