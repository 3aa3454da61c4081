import fc from 'fast-check';
import { fcParams, httpsCall } from '@podid/testkit';
import { SERVICES, HOST, POD, startE2eSuite, type Suite } from './support/e2e-suite';
import { grpcRequest, httpRequest, type FuzzRequest } from './support/fuzz-requests';
import { FuzzSender, isServerFault, type FuzzOutcome } from './support/fuzz-send';
import { authenticate, certificateLogin } from './support/pod-login';

/** Requests in all: FUZZ_RUNS (`FUZZ_RUNS=100000 npm run fuzz`), else a count that keeps `npm test` fast. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000);
/** Requests sent at once, in one fast-check run: the gateway serves many clients, and a shared machine stalls each one. */
const BATCH = 8;

/**
 * Generated requests across every public HTTP route of the gateway and every
 * platform gRPC method, against the suite as real processes: none may get a
 * 5xx (or a gRPC server fault), and every service is still up and ready
 * afterwards.
 */
describe('e2e: fuzzing the gateway HTTP routes and the platform gRPC API', () => {
  let suite: Suite;
  let sender: FuzzSender;
  let adminToken: string;

  beforeAll(async () => {
    // Rate limits out of the way, so requests reach the handlers rather than the limiter.
    const unlimited = '1000000/1s';
    suite = await startE2eSuite({
      env: { gateway: { PODID_RATE_LIMIT_IP: unlimited, PODID_RATE_LIMIT_HOST: unlimited, PODID_RATE_LIMIT_POD: unlimited, PODID_RATE_LIMIT_PLATFORM: unlimited } },
    });
    const cert = await certificateLogin(suite, { hostId: HOST.admin, namespace: 'demo', pod: POD.admin });
    adminToken = (await authenticate(suite, { hostId: HOST.admin, cert: cert.certPem, key: cert.keyPem })).body;
    sender = new FuzzSender({ gatewayUrl: suite.gatewayUrl, platformAddr: suite.platformAddr, caPem: suite.gatewayCaPem, cert });
  }, 150_000);

  afterAll(async () => {
    sender?.close();
    await suite?.stop();
  });

  it(`answers ${RUNS} generated requests without a 5xx, and every service stays healthy`, async () => {
    const creds = { adminToken };
    const request = fc.oneof({ weight: 3, arbitrary: httpRequest(creds) }, { weight: 2, arbitrary: grpcRequest(creds) });
    const seen = new Map<string, number>();
    const started = Date.now();
    let sent = 0;
    const retried: FuzzOutcome[] = [];
    let faults: Array<{ request: FuzzRequest; outcome: FuzzOutcome }> = [];
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map((r) => sender.send(r).then((a) => ({ r, ...a }))));
        return answers.every(({ r, outcome, retried: first }) => {
          sent++;
          if (sent % 10_000 === 0) process.stdout.write(`fuzz: ${sent} requests so far, ${Date.now() - started} ms, 0 faults\n`);
          if (first) retried.push(first);
          // FUZZ_TRACE=1 prints every request and answer, to see what led up to a fault.
          if (process.env['FUZZ_TRACE']) process.stdout.write(`${JSON.stringify({ ...r, body: (r as { body?: string }).body?.slice(0, 80), payload: undefined })} -> ${JSON.stringify(outcome)}\n`);
          const label = r.kind === 'http' ? `http ${outcome.kind === 'http' ? `${outcome.status}${outcome.healthReport ? ' status report' : ''}` : outcome.kind}` : `grpc ${r.method} ${outcome.kind === 'grpc' ? outcome.code : outcome.kind}`;
          seen.set(label, (seen.get(label) ?? 0) + 1);
          if (!isServerFault(outcome)) return true;
          faults = [...faults, { request: r, outcome }].slice(0, 5);
          return false;
        });
      }),
      { ...fcParams(), numRuns: Math.ceil(RUNS / BATCH), endOnFailure: true },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nfirst faults: ${JSON.stringify(faults.map((f) => ({ ...f, request: { ...f.request, payload: undefined, body: undefined } })))}`);
    });
    process.stdout.write(`fuzz: ${sent} requests in ${Date.now() - started} ms; outcomes ${JSON.stringify(Object.fromEntries([...seen].sort()))}; dropped connections retried: ${retried.length} ${JSON.stringify(retried.slice(0, 5))}\n`);
    // A few dropped connections on a loaded machine are the network's; many would be the server's.
    expect(retried.length).toBeLessThanOrEqual(Math.max(5, sent / 1000));
    // Both surfaces were reached, and handlers beyond the router answered.
    expect([...seen.keys()].some((k) => k.startsWith('http 2'))).toBe(true);
    expect([...seen.keys()].some((k) => /^http 4\d\d$/.test(k))).toBe(true);
    expect([...seen.keys()].some((k) => / 0$/.test(k) && k.startsWith('grpc'))).toBe(true);

    // No crash: every service still runs and is ready, and a login still works.
    for (const name of SERVICES) expect({ name, running: suite.services.get(name)!.running }).toEqual({ name, running: true });
    expect((await httpsCall(suite.gatewayUrl, { path: '/readyz', caPem: suite.gatewayCaPem })).status).toBe(200);
    // A host the generators never name, so no fuzzed revocation covers it.
    const app = await certificateLogin(suite, { hostId: HOST.statefulSet, namespace: 'demo', pod: POD.statefulSet });
    expect((await authenticate(suite, { hostId: HOST.statefulSet, cert: app.certPem, key: app.keyPem })).status).toBe(200);
  }, 120_000 + RUNS * 50);
});
