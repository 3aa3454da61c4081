import { parseClustersFile, pickCluster, type ClusterDeclaration } from './clusters';
import { parsePolicy } from './parse-policy';
import { formatProblem, PolicyInvalidError } from './policy-problem';

const parse = (text: string) => parseClustersFile('clusters.yaml', text, 'cluster.local');
const problems = (text: string) => parse(text).problems.map(formatProblem);

describe('clusters file', () => {
  it('reads every credential form, with the default trust domain where none is given', () => {
    const c = parse(`clusters:
  - name: home
    inCluster: true
  - name: dev
    kubeconfig: /etc/podid/clusters/dev.kubeconfig
    trustDomain: dev.example.org
  - name: qa
    server: https://qa.example.org:6443
    caFile: /etc/podid/clusters/qa/ca.crt
    tokenFile: /etc/podid/clusters/qa/token
  - name: prod
    server: https://10.0.0.1:6443
    caFile: /etc/podid/clusters/prod/ca.crt
    clientCertFile: /etc/podid/clusters/prod/tls.crt
    clientKeyFile: /etc/podid/clusters/prod/tls.key
`);
    expect(c.problems).toEqual([]);
    expect(c.clusters).toEqual([
      { name: 'home', trustDomain: 'cluster.local', credentials: { kind: 'in-cluster' } },
      { name: 'dev', trustDomain: 'dev.example.org', credentials: { kind: 'kubeconfig', kubeconfig: '/etc/podid/clusters/dev.kubeconfig' } },
      { name: 'qa', trustDomain: 'cluster.local', credentials: { kind: 'token', server: 'https://qa.example.org:6443', caFile: '/etc/podid/clusters/qa/ca.crt', tokenFile: '/etc/podid/clusters/qa/token' } },
      {
        name: 'prod',
        trustDomain: 'cluster.local',
        credentials: { kind: 'client-cert', server: 'https://10.0.0.1:6443', caFile: '/etc/podid/clusters/prod/ca.crt', clientCertFile: '/etc/podid/clusters/prod/tls.crt', clientKeyFile: '/etc/podid/clusters/prod/tls.key' },
      },
    ]);
  });

  it.each([
    ['clusters: []\n', 'clusters.yaml:1: clusters: declare at least one cluster'],
    ['clusters:\n  - name: a\n', 'clusters.yaml:2: cluster "a": give exactly one of inCluster: true, kubeconfig, or server (with caFile and tokenFile, or clientCertFile and clientKeyFile); got none'],
    ['clusters:\n  - name: a\n    inCluster: true\n    kubeconfig: /k\n', 'clusters.yaml:2: cluster "a": give exactly one of inCluster: true, kubeconfig, or server (with caFile and tokenFile, or clientCertFile and clientKeyFile); got inCluster and kubeconfig'],
    ['clusters:\n  - name: Prod_1\n    inCluster: true\n', 'clusters.yaml:2: cluster "Prod_1": name must be a DNS label (lowercase a-z, 0-9, "-", at most 63)'],
    ['clusters:\n  - name: a\n    kubeconfig: relative/k\n', 'clusters.yaml:3: cluster "a": kubeconfig must be an absolute path, got "relative/k"'],
    ['clusters:\n  - name: a\n    server: http://x\n    caFile: /ca\n    tokenFile: /t\n', 'clusters.yaml:3: cluster "a": server must be an https:// URL, got "http://x"'],
    ['clusters:\n  - name: a\n    server: https://x\n    tokenFile: /t\n', 'clusters.yaml:2: cluster "a": server needs caFile (the API server\'s CA certificate)'],
    ['clusters:\n  - name: a\n    server: https://x\n    caFile: /ca\n    tokenFile: /t\n    clientCertFile: /c\n', 'clusters.yaml:2: cluster "a": server needs either tokenFile, or clientCertFile and clientKeyFile'],
    ['clusters:\n  - name: a\n    inCluster: true\n    tokenFile: /t\n', 'clusters.yaml:2: cluster "a": tokenFile only go with server'],
    ['clusters:\n  - name: a\n    inCluster: true\n    trustDomain: "Bad Domain"\n', 'clusters.yaml:4: cluster "a": trustDomain must match /^[a-z0-9._-]{1,255}$/, got "Bad Domain"'],
    ['clusters:\n  - name: a\n    inCluster: true\n    token: abc\n', 'clusters.yaml:4: cluster: unknown field "token" (expected one of name, trustDomain, inCluster, kubeconfig, server, caFile, tokenFile, clientCertFile, clientKeyFile)'],
    ['clusters:\n  - name: a\n    inCluster: true\n  - name: a\n    inCluster: true\n', 'clusters.yaml:4: cluster "a" is already declared at line 2'],
  ])('refuses %j', (text, problem) => {
    expect(problems(text)).toEqual([problem]);
    expect(parse(text).clusters).toEqual([]);
  });

  it('refuses a misspelt root, and says no cluster was declared', () => {
    expect(problems('cluster: []\n')).toEqual(['clusters.yaml:1: clusters file: unknown field "cluster" (expected one of clusters)', 'clusters.yaml:1: clusters: declare at least one cluster']);
  });

  it('refuses more than 64 clusters', () => {
    const many = Array.from({ length: 65 }, (_, i) => `  - name: c${i}\n    inCluster: true\n`).join('');
    expect(problems(`clusters:\n${many}`)).toEqual(['clusters.yaml:1: clusters: at most 64, got 65']);
  });

  it('picks the named cluster, or the only one when none is named', () => {
    const one = [{ name: 'a' }];
    const two = [{ name: 'a' }, { name: 'b' }];
    expect(pickCluster(one, undefined)).toEqual({ name: 'a' });
    expect(pickCluster(one, '')).toEqual({ name: 'a' });
    expect(pickCluster(two, 'b')).toEqual({ name: 'b' });
    expect(pickCluster(two, undefined)).toBeUndefined();
    expect(pickCluster(two, 'c')).toBeUndefined();
    expect(pickCluster(one, 'b')).toBeUndefined();
  });
});

describe('authenticators name their cluster', () => {
  const clusters: ClusterDeclaration[] = [
    { name: 'dev', trustDomain: 'cluster.local', credentials: { kind: 'in-cluster' } },
    { name: 'prod', trustDomain: 'prod.example.org', credentials: { kind: 'kubeconfig', kubeconfig: '/k' } },
  ];
  const policy = (authenticators: string) => [{ name: 'policy.yaml', text: `account: default\nauthenticators:\n${authenticators}` }];
  const problemsOf = (authenticators: string, cs = clusters) => {
    try {
      parsePolicy(policy(authenticators), cs);
    } catch (e) {
      if (e instanceof PolicyInvalidError) return e.problems.map(formatProblem);
      throw e;
    }
    throw new Error('expected the policy to be invalid');
  };

  it('binds each authenticator to its cluster and that cluster\'s trust domain', () => {
    const p = parsePolicy(policy('  - type: authn-k8s\n    id: dev-cluster\n    cluster: dev\n  - type: authn-jwt\n    id: prod-jwt\n    cluster: prod\n    jwt: {audience: podid}\n'), clusters);
    expect(p.authenticators.get('dev-cluster')).toMatchObject({ cluster: 'dev', trustDomain: 'cluster.local' });
    expect(p.authenticators.get('prod-jwt')).toMatchObject({ cluster: 'prod', trustDomain: 'prod.example.org' });
  });

  it('takes the only declared cluster when an authenticator names none, and `default` without a clusters file', () => {
    expect(parsePolicy(policy('  - type: authn-k8s\n    id: a\n'), [clusters[1]!]).authenticators.get('a')).toMatchObject({ cluster: 'prod', trustDomain: 'prod.example.org' });
    expect(parsePolicy(policy('  - type: authn-k8s\n    id: a\n')).authenticators.get('a')).toMatchObject({ cluster: 'default', trustDomain: 'cluster.local' });
  });

  it('refuses an unknown cluster, and a missing one when several are declared, naming the declared ones', () => {
    expect(problemsOf('  - type: authn-k8s\n    id: a\n    cluster: staging\n')).toEqual(['policy.yaml:5: authenticator "a": cluster "staging" is not declared in the clusters file (declared: dev, prod)']);
    // Hosts of that authenticator get no second, misleading problem.
    expect(problemsOf('  - type: authn-k8s\n    id: a\n    cluster: staging\nhosts:\n  - id: apps/x\n    authenticators: [a]\n    annotations: { authn-k8s/namespace: demo }\n')).toEqual([
      'policy.yaml:5: authenticator "a": cluster "staging" is not declared in the clusters file (declared: dev, prod)',
    ]);
    expect(problemsOf('  - type: authn-k8s\n    id: a\n')).toEqual(['policy.yaml:3: authenticator "a": name its cluster (cluster: <name>); 2 are declared: dev, prod']);
    expect(problemsOf('  - type: authn-k8s\n    id: a\n    cluster: dev\n', [])).toEqual(['policy.yaml:5: authenticator "a": cluster "dev" is not declared in the clusters file (declared: none)']);
  });
});
