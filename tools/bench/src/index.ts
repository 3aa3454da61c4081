export * from './measure-rate';
export * from './pipeline-rate';
