export * from './load-kube-config';
