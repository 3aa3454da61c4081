/**
 * @podid/k8s-sim: a Kubernetes API simulator that speaks the real REST and WebSocket exec protocols over HTTPS,
 * closely enough for @kubernetes/client-node and Conjur's exec framing. See README.md.
 */
export { startSimulator } from './simulator';
export { loadManifests } from './manifests';
export type { AccessLogEntry, Simulator, SimulatorOptions } from './types';
