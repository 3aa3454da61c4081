import { createPrivateKey, randomBytes, sign, verify } from 'node:crypto';
import { checkCsr, createCa, createCsr, generateKeyPair, loadSigningCa, signLeaf, type KeyAlgorithm } from '@podid/x509';
import { measureRate } from './measure-rate';

const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const CN = 'host.conjur.authn-k8s.dev.apps.demo';
const SLICE_MS = 200;
const HASH: Record<KeyAlgorithm, string | null> = { 'ec-p256': 'sha256', 'ec-p384': 'sha384', ed25519: null, 'rsa-2048': 'sha256', 'rsa-3072': 'sha256', 'rsa-4096': 'sha256' };

/** Leaves per second of the whole pipeline against back-to-back raw crypto.verify + crypto.sign, measured in the same run. */
export interface PipelineFigures {
  readonly pipelinePerSecond: number;
  readonly rawPerSecond: number;
  /** pipeline / raw. */
  readonly ratio: number;
}

/**
 * The pipeline is what ca-signer does per request: checkCsr (parse, key and
 * signature checks, SAN) then signLeaf (build the TBS, sign, re-check). The
 * raw figure is one crypto.verify of the CSR signature with its loaded key
 * plus one crypto.sign of a TBS-sized buffer with the CA key. Each side runs
 * for about `ms` in total.
 */
export async function measurePipeline(caAlg: KeyAlgorithm, csrAlg: KeyAlgorithm, ms: number): Promise<PipelineFigures> {
  const now = new Date();
  const caPem = await createCa({ commonName: `bench ${caAlg}`, now, ttlMs: 365 * 86_400_000, algorithm: caAlg });
  const ca = await loadSigningCa(caPem, 'bench');
  const csrPem = await createCsr({ keys: await generateKeyPair(csrAlg), algorithm: csrAlg, commonName: 'demo', sans: [{ type: 'url', value: SPIFFE }] });
  const csr = checkCsr(csrPem, { spiffeId: SPIFFE });
  const caKey = createPrivateKey(caPem.keyPem);
  const tbs = randomBytes(450); // about the size of a leaf's TBSCertificate
  const csrHash = HASH[csrAlg];
  if (!verify(csrHash, csr.tbs, csr.publicKey!, csr.signature)) throw new Error('bench CSR does not verify');
  const rawOp = () => {
    verify(csrHash, csr.tbs, csr.publicKey!, csr.signature);
    sign(HASH[caAlg], tbs, caKey);
  };
  const pipelineOp = () => signLeaf({ ca, csr: checkCsr(csrPem, { spiffeId: SPIFFE }), commonName: CN, spiffeId: SPIFFE, podUid: UID, cluster: 'default', ttlMs: 86_400_000, now });
  // Alternating slices, so that a load change on a shared machine hits both sides alike.
  const slices = Math.max(1, Math.round(ms / SLICE_MS));
  const raw = { count: 0, seconds: 0 };
  const pipeline = { count: 0, seconds: 0 };
  for (let i = 0; i < slices; i++) {
    for (const [op, total] of [[rawOp, raw], [pipelineOp, pipeline]] as const) {
      const r = await measureRate(op, ms / slices);
      total.count += r.count;
      total.seconds += r.count / r.perSecond;
    }
  }
  const rates = { raw: raw.count / raw.seconds, pipeline: pipeline.count / pipeline.seconds };
  return { pipelinePerSecond: rates.pipeline, rawPerSecond: rates.raw, ratio: rates.pipeline / rates.raw };
}
