import { createPrivateKey, createPublicKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { checkCsr, createCa, createCsr, generateKeyPair, loadSigningCa, signLeaf, type KeyAlgorithm } from '@podid/x509';
import { forgeSignLeaf } from './forge-sign-leaf';
import { measureRate } from './measure-rate';
import { measurePipeline } from './pipeline-rate';

// The leaf pipeline (checkCsr + signLeaf) vs raw crypto.verify + crypto.sign in the same run, as a ratio;
// leaf signing throughput vs the raw signature rate of the CA key, and node-forge vs native for RSA.
// docs/performance.md records the figures.
// Run: npx tsx tools/bench/src/sign-bench.ts   (BENCH_MS sets the time per measurement, default 2000)
const MS = Number(process.env['BENCH_MS'] ?? 2000);
const SPIFFE = 'spiffe://cluster.local/namespace/demo/podname/app-1';
const UID = '3f1c2a4e-9b7d-4c1e-8a2b-0123456789ab';
const CN = 'host.conjur.authn-k8s.dev.apps.demo';
const HASH: Record<string, string | null> = { 'ec-p256': 'sha256', 'rsa-2048': 'sha256' };

async function csrFor(alg: KeyAlgorithm) {
  const keys = await generateKeyPair(alg);
  const pem = await createCsr({ keys, algorithm: alg, commonName: 'demo', sans: [{ type: 'url', value: SPIFFE }] });
  return { pem, csr: checkCsr(pem, { spiffeId: SPIFFE }) };
}

async function main() {
  const now = new Date();
  const rows: string[] = [];
  for (const [caAlg, csrAlg] of [['ec-p256', 'ec-p256'], ['ec-p256', 'rsa-2048'], ['rsa-2048', 'rsa-2048'], ['rsa-2048', 'ec-p256']] as const) {
    const p = await measurePipeline(caAlg, csrAlg, MS);
    rows.push(
      `pipeline ${caAlg} CA, ${csrAlg} CSR: checkCsr + signLeaf ${p.pipelinePerSecond.toFixed(0)} leaves/s, raw crypto.verify + crypto.sign ${p.rawPerSecond.toFixed(0)}/s, ratio ${p.ratio.toFixed(3)}`,
    );
  }
  const leafCsr = await csrFor('ec-p256');
  const rsaLeafCsr = await csrFor('rsa-2048');
  const results: Record<string, number> = {};
  for (const caAlg of ['ec-p256', 'rsa-2048'] as const) {
    const caPem = await createCa({ commonName: `bench ${caAlg}`, now, ttlMs: 365 * 86_400_000, algorithm: caAlg });
    const ca = await loadSigningCa(caPem, 'bench');
    const key = createPrivateKey(caPem.keyPem);
    const tbs = randomBytes(450); // about the size of a leaf's TBSCertificate
    const raw = await measureRate(() => sign(HASH[caAlg] ?? null, tbs, key), MS);
    const leaves = await measureRate(() => signLeaf({ ca, csr: leafCsr.csr, commonName: CN, spiffeId: SPIFFE, podUid: UID, cluster: 'default', ttlMs: 86_400_000, now }), MS);
    results[`native-${caAlg}`] = leaves.perSecond;
    rows.push(`${caAlg} CA: signLeaf ${leaves.perSecond.toFixed(0)} leaves/s, raw crypto.sign ${raw.perSecond.toFixed(0)}/s, ratio ${(leaves.perSecond / raw.perSecond).toFixed(3)}`);
    if (caAlg === 'rsa-2048') {
      const leafPub = createPublicKey({ key: rsaLeafCsr.csr.spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();
      const nativeRsa = await measureRate(() => signLeaf({ ca, csr: rsaLeafCsr.csr, commonName: CN, spiffeId: SPIFFE, podUid: UID, cluster: 'default', ttlMs: 86_400_000, now }), MS);
      const forgeOpts = { caCertPem: caPem.certPem, caKeyPem: caPem.keyPem, leafPublicKeyPem: leafPub, commonName: CN, sanUris: [SPIFFE, `urn:podid:pod-uid:${UID}`, 'urn:podid:cluster:default'], ttlMs: 86_400_000, now };
      const check = new X509Certificate(forgeSignLeaf(forgeOpts));
      if (!check.verify(new X509Certificate(caPem.certPem).publicKey)) throw new Error('forge leaf does not verify');
      const forgeRate = await measureRate(() => forgeSignLeaf(forgeOpts), MS);
      rows.push(
        `RSA-2048 CA, RSA-2048 leaf: native signLeaf ${nativeRsa.perSecond.toFixed(0)} leaves/s, node-forge ${forgeRate.perSecond.toFixed(1)} leaves/s, native/forge ${(nativeRsa.perSecond / forgeRate.perSecond).toFixed(1)}x`,
      );
    }
  }
  const check = await measureRate(() => checkCsr(leafCsr.pem, { spiffeId: SPIFFE }), MS);
  rows.push(`checkCsr (P-256 CSR, parse + signature + SAN): ${check.perSecond.toFixed(0)}/s`);
  process.stdout.write(`node ${process.version}, ${MS} ms per measurement, one thread\n${rows.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
