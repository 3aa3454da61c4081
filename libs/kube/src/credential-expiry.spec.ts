import { createLogger, LogCapture } from '@podid/logging';
import { waitFor } from '@podid/testkit';
import { Registry } from 'prom-client';
import { CLIENT_CERT_EXPIRY_METRIC, watchCredentialExpiry } from './credential-expiry';
import type { KubeClientCert } from './kube-client-cert';

describe('watchCredentialExpiry', () => {
  const t0 = Date.parse('2026-03-01T00:00:00Z');
  const certFor = (daysLeft: number, serial = '01'): KubeClientCert => ({
    notBefore: new Date(t0 - 86_400_000),
    notAfter: new Date(t0 + daysLeft * 86_400_000),
    subjectCn: 'podid-operator',
    serial,
  });
  const setup = (cert: KubeClientCert | undefined | (() => KubeClientCert | undefined), warnDays = 30, intervalMs?: number) => {
    const logs = new LogCapture();
    const registry = new Registry();
    let now = t0;
    const watch = watchCredentialExpiry({
      read: typeof cert === 'function' ? cert : () => cert,
      log: createLogger({ service: 'pod-verifier', destination: logs }),
      warnDays,
      registry,
      now: () => now,
      intervalMs,
    });
    return { logs, registry, watch, advance: (ms: number) => (now += ms) };
  };

  it('warns at start inside the threshold, with days left, notAfter and CN but no certificate', async () => {
    const { logs, registry, watch } = setup(certFor(10.5));
    try {
      const [line] = logs.withEvent('K8S_CLIENT_CERT_EXPIRING');
      expect(line).toMatchObject({ level: 'warn', days_left: 10, not_after: '2026-03-11T12:00:00.000Z', subject_cn: 'podid-operator', cert_serial: '01' });
      expect(logs.text).not.toContain('BEGIN');
      expect(await registry.getSingleMetricAsString(CLIENT_CERT_EXPIRY_METRIC)).toContain(`${CLIENT_CERT_EXPIRY_METRIC}{cluster="default"} ${10.5 * 86_400}`);
    } finally {
      watch.stop();
    }
    expect(registry.getSingleMetric(CLIENT_CERT_EXPIRY_METRIC)).toBeUndefined();
  });

  it('logs a valid credential once, then warns on every check inside the threshold, then reports expiry', () => {
    const { logs, registry, watch, advance } = setup(certFor(31));
    try {
      expect(logs.withEvent('K8S_CLIENT_CERT_VALID')).toHaveLength(1);
      watch.check();
      expect(logs.withEvent('K8S_CLIENT_CERT_VALID')).toHaveLength(1);
      advance(2 * 86_400_000);
      watch.check();
      watch.check();
      expect(logs.withEvent('K8S_CLIENT_CERT_EXPIRING').map((l) => l['days_left'])).toEqual([29, 29]);
      advance(30 * 86_400_000);
      watch.check();
      expect(logs.withEvent('K8S_CLIENT_CERT_EXPIRED')).toEqual([expect.objectContaining({ level: 'error', days_left: -1, subject_cn: 'podid-operator' })]);
      expect(registry.getSingleMetric(CLIENT_CERT_EXPIRY_METRIC)).toBeDefined();
    } finally {
      watch.stop();
    }
  });

  it('re-reads on its interval, so a rotated certificate is seen', async () => {
    let current = certFor(5, 'aa');
    const { logs, watch } = setup(() => current, 30, 20);
    try {
      expect(logs.withEvent('K8S_CLIENT_CERT_EXPIRING')).toHaveLength(1);
      current = certFor(90, 'bb');
      await waitFor(() => logs.withEvent('K8S_CLIENT_CERT_VALID').length > 0, { timeoutMs: 2000, message: 'the rotated certificate is reported valid' });
      expect(watch.current?.serial).toBe('bb');
    } finally {
      watch.stop();
    }
  });

  it('exports one gauge with a series per cluster, and drops a cluster\'s series when its watch stops', async () => {
    const registry = new Registry();
    const log = createLogger({ service: 'pod-verifier', destination: new LogCapture() });
    const watch = (cluster: string, days: number) => watchCredentialExpiry({ read: () => certFor(days), log, warnDays: 0, registry, cluster, now: () => t0 });
    const a = watch('a', 10);
    const b = watch('b', 20);
    const text = await registry.getSingleMetricAsString(CLIENT_CERT_EXPIRY_METRIC);
    expect(text).toContain(`${CLIENT_CERT_EXPIRY_METRIC}{cluster="a"} ${10 * 86_400}`);
    expect(text).toContain(`${CLIENT_CERT_EXPIRY_METRIC}{cluster="b"} ${20 * 86_400}`);
    a.stop();
    const after = await registry.getSingleMetricAsString(CLIENT_CERT_EXPIRY_METRIC);
    expect(after).not.toContain('cluster="a"');
    expect(after).toContain('cluster="b"');
    b.stop();
    expect(registry.getSingleMetric(CLIENT_CERT_EXPIRY_METRIC)).toBeUndefined();
  });

  it('does nothing without a client certificate, and reports an unreadable one', () => {
    const none = setup(undefined);
    none.watch.stop();
    expect(none.logs.lines).toHaveLength(0);
    expect(none.registry.getSingleMetric(CLIENT_CERT_EXPIRY_METRIC)).toBeUndefined();
    const bad = setup(() => {
      throw new Error('client-certificate file "/x": cannot read (ENOENT)');
    });
    bad.watch.stop();
    expect(bad.logs.withEvent('K8S_CLIENT_CERT_UNREADABLE')).toEqual([expect.objectContaining({ level: 'error', reason: expect.stringContaining('ENOENT') })]);
  });
});
