export * from './measure-rate';
