export * from './k8s-credentials';
export * from './secrets-bootstrap';
