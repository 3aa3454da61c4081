export * from './k8s-credentials';
