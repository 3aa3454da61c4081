export * from './files';
export * from './pki';
export * from './ports';
export * from './process';
export * from './redis';
export * from './https-call';
export * from './fc-params';
