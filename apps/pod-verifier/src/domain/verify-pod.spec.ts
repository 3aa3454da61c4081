import type { OwnerFacts, PodFacts } from '@podid/kube';
import { explainPod, verifyPod } from './verify-pod';
import type { OwnerLink, PodCheckFacts, PodCheckRequest, PodRestrictions } from './pod-restrictions';

const none: PodRestrictions = {
  namespace: '', namespaceLabelSelector: '', serviceAccount: '', pod: '', deployment: '', statefulSet: '', daemonSet: '', job: '', cronJob: '', podLabelSelector: '',
};

const pod = (over: Partial<PodFacts> = {}): PodFacts => ({
  namespace: 'demo', name: 'app-1', uid: 'uid-pod', serviceAccountName: 'demo-sa', labels: { app: 'demo', tier: 'web' },
  ownerRefs: [], containers: ['app', 'authenticator'], initContainers: ['init-auth'], podIP: '10.0.0.7', ...over,
});

const owner = (kind: OwnerFacts['kind'], name: string, uid: string, parent?: OwnerLink['ref']): OwnerFacts => ({ kind, namespace: 'demo', name, uid, ownerRefs: parent ? [parent] : [] });
const ref = (kind: string, name: string, uid: string) => ({ kind, name, uid, controller: true });

const req = (r: Partial<PodRestrictions> = {}, over: Partial<PodCheckRequest> = {}): PodCheckRequest => ({
  namespace: 'demo', pod: 'app-1', restrictions: { ...none, ...r }, containerName: 'authenticator', ...over,
});
const facts = (over: Partial<PodCheckFacts> = {}): PodCheckFacts => ({ pod: pod(), owners: [], ...over });

function refusal(fn: () => unknown): { kind: string; code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { kind: string; code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('verifyPod', () => {
  it('accepts a pod with no restrictions and returns its identity', () => {
    expect(verifyPod(req(), facts())).toEqual({ uid: 'uid-pod', serviceAccount: 'demo-sa', podIP: '10.0.0.7' });
  });

  it('refuses a missing pod with NOT_FOUND POD_NOT_FOUND', () => {
    expect(refusal(() => verifyPod(req(), { owners: [] }))).toMatchObject({ kind: 'not_found', code: 'POD_NOT_FOUND' });
  });

  it('checks expected_uid', () => {
    expect(verifyPod(req({}, { expectedUid: 'uid-pod' }), facts()).uid).toBe('uid-pod');
    const e = refusal(() => verifyPod(req({}, { expectedUid: 'uid-old' }), facts()));
    expect(e).toMatchObject({ kind: 'not_found', code: 'POD_UID_MISMATCH' });
    expect(e.message).toContain('exp="uid-old" got="uid-pod"');
  });

  it.each([
    [{ deletionTimestamp: '2024-01-01T00:00:00Z' }],
    [{ phase: 'Succeeded' }],
    [{ phase: 'Failed' }],
  ])('refuses a terminating pod %j with FAILED_PRECONDITION', (over) => {
    expect(refusal(() => verifyPod(req(), facts({ pod: pod(over) })))).toMatchObject({ kind: 'failed_precondition', code: 'POD_TERMINATING' });
  });

  it('checks the namespace restriction', () => {
    expect(() => verifyPod(req({ namespace: 'demo' }), facts())).not.toThrow();
    expect(refusal(() => verifyPod(req({ namespace: 'prod' }), facts()))).toMatchObject({ kind: 'permission_denied', code: 'NAMESPACE_MISMATCH', message: 'namespace mismatch: exp="prod" got="demo"' });
  });

  it('checks the namespace label selector (k=v and k==v)', () => {
    const ns = { name: 'demo', labels: { env: 'dev', team: 'a' } };
    expect(() => verifyPod(req({ namespaceLabelSelector: 'env=dev, team==a' }), facts({ namespace: ns }))).not.toThrow();
    const e = refusal(() => verifyPod(req({ namespaceLabelSelector: 'env=prod' }), facts({ namespace: ns })));
    expect(e).toMatchObject({ code: 'NAMESPACE_LABELS_MISMATCH' });
    expect(e.message).toContain('exp="prod" got="dev"');
    expect(refusal(() => verifyPod(req({ namespaceLabelSelector: 'env=dev' }), facts()))).toMatchObject({ code: 'NAMESPACE_LABELS_MISMATCH' });
  });

  it.each(['env!=dev', '!env', 'env', 'env in (dev)', 'a=b=c'])('refuses the invalid selector %s', (sel) => {
    expect(refusal(() => verifyPod(req({ namespaceLabelSelector: sel }), facts({ namespace: { name: 'demo', labels: {} } })))).toMatchObject({
      kind: 'permission_denied',
      code: 'LABEL_SELECTOR_INVALID',
    });
  });

  it('checks the service account: it must exist and be the pod\'s', () => {
    const sa = { namespace: 'demo', name: 'demo-sa' };
    expect(() => verifyPod(req({ serviceAccount: 'demo-sa' }), facts({ serviceAccount: sa }))).not.toThrow();
    expect(refusal(() => verifyPod(req({ serviceAccount: 'demo-sa' }), facts()))).toMatchObject({ code: 'SERVICE_ACCOUNT_MISMATCH' });
    const e = refusal(() => verifyPod(req({ serviceAccount: 'other' }), facts({ serviceAccount: { namespace: 'demo', name: 'other' } })));
    expect(e).toMatchObject({ code: 'SERVICE_ACCOUNT_MISMATCH', message: 'service account mismatch: exp="other" got="demo-sa"' });
  });

  it('checks the pod name', () => {
    expect(() => verifyPod(req({ pod: 'app-1' }), facts())).not.toThrow();
    expect(refusal(() => verifyPod(req({ pod: 'app-2' }), facts()))).toMatchObject({ code: 'POD_NAME_MISMATCH' });
  });

  it('checks the pod label selector', () => {
    expect(() => verifyPod(req({ podLabelSelector: 'app=demo,tier=web' }), facts())).not.toThrow();
    const e = refusal(() => verifyPod(req({ podLabelSelector: 'app=demo,role=db' }), facts()));
    expect(e).toMatchObject({ code: 'POD_LABELS_MISMATCH' });
    expect(e.message).toContain('role: exp="db" got=unset');
  });

  it('finds the container in containers or initContainers', () => {
    expect(() => verifyPod(req({}, { containerName: 'init-auth' }), facts())).not.toThrow();
    const e = refusal(() => verifyPod(req({}, { containerName: 'sidecar' }), facts()));
    expect(e).toMatchObject({ kind: 'permission_denied', code: 'CONTAINER_NOT_FOUND' });
    expect(e.message).toContain('exp="sidecar" got="app,authenticator,init-auth"');
  });

  it('refuses in check order: uid before terminating before restrictions', () => {
    const bad = facts({ pod: pod({ phase: 'Failed' }) });
    expect(refusal(() => verifyPod(req({ namespace: 'x' }, { expectedUid: 'u2' }), bad)).code).toBe('POD_UID_MISMATCH');
    expect(refusal(() => verifyPod(req({ namespace: 'x' }), bad)).code).toBe('POD_TERMINATING');
  });

  describe('owner chain', () => {
    const rs = ref('ReplicaSet', 'web-7f9', 'uid-rs');
    const dep = ref('Deployment', 'web', 'uid-dep');
    const deployChain: OwnerLink[] = [
      { ref: rs, object: owner('ReplicaSet', 'web-7f9', 'uid-rs', dep) },
      { ref: dep, object: owner('Deployment', 'web', 'uid-dep') },
    ];

    it('accepts Pod -> ReplicaSet -> Deployment', () => {
      expect(() => verifyPod(req({ deployment: 'web' }), facts({ owners: deployChain }))).not.toThrow();
    });

    it('refuses another Deployment name, naming expected and got', () => {
      const e = refusal(() => verifyPod(req({ deployment: 'api' }), facts({ owners: deployChain })));
      expect(e).toMatchObject({ kind: 'permission_denied', code: 'OWNER_MISMATCH' });
      expect(e.message).toContain('exp="ReplicaSet/* -> Deployment/api" got="ReplicaSet/web-7f9 -> Deployment/web"');
    });

    it('refuses a spoofed ownerReference whose uid is not the owner\'s', () => {
      const spoofed: OwnerLink[] = [{ ref: { ...rs, uid: 'forged' }, object: owner('ReplicaSet', 'web-7f9', 'uid-rs', dep) }, deployChain[1]!];
      const e = refusal(() => verifyPod(req({ deployment: 'web' }), facts({ owners: spoofed })));
      expect(e.code).toBe('OWNER_MISMATCH');
      expect(e.message).toContain('uid exp="uid-rs" got="forged"');
      const topSpoofed: OwnerLink[] = [deployChain[0]!, { ref: dep, object: owner('Deployment', 'web', 'uid-other') }];
      expect(refusal(() => verifyPod(req({ deployment: 'web' }), facts({ owners: topSpoofed }))).code).toBe('OWNER_MISMATCH');
    });

    it('refuses an owner that does not exist', () => {
      const gone: OwnerLink[] = [{ ref: rs, object: owner('ReplicaSet', 'web-7f9', 'uid-rs', dep) }, { ref: dep }];
      expect(refusal(() => verifyPod(req({ deployment: 'web' }), facts({ owners: gone }))).message).toContain('Deployment/web does not exist');
    });

    it('refuses a bare pod for every owner restriction', () => {
      for (const r of [{ deployment: 'web' }, { statefulSet: 'db' }, { daemonSet: 'agent' }, { job: 'once' }, { cronJob: 'nightly' }]) {
        expect(refusal(() => verifyPod(req(r), facts())).message).toContain('got="no controller"');
      }
    });

    it.each([
      ['statefulSet', 'StatefulSet'],
      ['daemonSet', 'DaemonSet'],
      ['job', 'Job'],
    ] as const)('accepts a pod owned by a %s and refuses the wrong kind', (field, kind) => {
      const chain: OwnerLink[] = [{ ref: ref(kind, 'x', 'u1'), object: owner(kind, 'x', 'u1') }];
      expect(() => verifyPod(req({ [field]: 'x' }), facts({ owners: chain }))).not.toThrow();
      expect(refusal(() => verifyPod(req({ [field]: 'y' }), facts({ owners: chain }))).code).toBe('OWNER_MISMATCH');
      expect(refusal(() => verifyPod(req({ deployment: 'x' }), facts({ owners: chain }))).message).toContain('hop 1 is not a ReplicaSet');
    });

    it('accepts Pod -> Job -> CronJob and refuses a Job without a CronJob', () => {
      const cj = ref('CronJob', 'nightly', 'uid-cj');
      const chain: OwnerLink[] = [{ ref: ref('Job', 'nightly-123', 'uid-job'), object: owner('Job', 'nightly-123', 'uid-job', cj) }, { ref: cj, object: owner('CronJob', 'nightly', 'uid-cj') }];
      expect(() => verifyPod(req({ cronJob: 'nightly' }), facts({ owners: chain }))).not.toThrow();
      expect(() => verifyPod(req({ job: 'nightly-123' }), facts({ owners: chain }))).not.toThrow();
      expect(refusal(() => verifyPod(req({ cronJob: 'nightly' }), facts({ owners: chain.slice(0, 1) }))).message).toContain('hop 2 is not a CronJob');
    });
  });
});

describe('explainPod', () => {
  it('reports every check, each failure with the code and message verifyPod would refuse with', () => {
    const r = req({ serviceAccount: 'other-sa', podLabelSelector: 'tier=db' }, { containerName: 'sidecar' });
    const f = facts({ serviceAccount: undefined });
    const out = explainPod(r, f);
    expect(out.uid).toBe('uid-pod');
    expect(out.checks.map((c) => [c.name, c.ok, c.code])).toEqual([
      ['exists', true, ''],
      ['not-terminating', true, ''],
      ['namespace', true, ''],
      ['namespace-labels', true, ''],
      ['service-account', false, 'SERVICE_ACCOUNT_MISMATCH'],
      ['pod-name', true, ''],
      ['owners', true, ''],
      ['pod-labels', false, 'POD_LABELS_MISMATCH'],
      ['container', false, 'CONTAINER_NOT_FOUND'],
    ]);
    // The first failure is exactly verifyPod's refusal.
    expect(out.checks.find((c) => !c.ok)!.detail).toBe(refusal(() => verifyPod(r, f)).message);
  });

  it('reports only existence for a missing pod', () => {
    expect(explainPod(req(), { owners: [] })).toEqual({ uid: '', checks: [{ name: 'exists', ok: false, code: 'POD_NOT_FOUND', detail: 'pod demo/app-1 not found' }] });
  });
});
