export * from './events';
export * from './fields';
export * from './logger';
export * from './request-context';
export * from './log-capture';
export * from './events-doc';
