import { readFileSync } from 'node:fs';
import { optionalStr, str } from './fields';
import { ConfigError } from './load-config';

/** The three env vars every gRPC service and client reads for mutual TLS. */
export const tlsFields = {
  tlsCaFile: str({ env: 'PODID_TLS_CA_FILE' }),
  tlsCertFile: str({ env: 'PODID_TLS_CERT_FILE' }),
  tlsKeyFile: str({ env: 'PODID_TLS_KEY_FILE' }),
};

export const optionalTlsFields = {
  tlsCaFile: optionalStr({ env: 'PODID_TLS_CA_FILE' }),
  tlsCertFile: optionalStr({ env: 'PODID_TLS_CERT_FILE' }),
  tlsKeyFile: optionalStr({ env: 'PODID_TLS_KEY_FILE' }),
};

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Reads the PEM files named by tlsFields; an unreadable or non-PEM file is a ConfigError naming it. */
export function readTlsFiles(cfg: { tlsCaFile: string; tlsCertFile: string; tlsKeyFile: string }): TlsMaterial {
  const problems: string[] = [];
  const read = (env: string, path: string, marker: string): string => {
    try {
      const text = readFileSync(path, 'utf8');
      if (!text.includes(`-----BEGIN ${marker}`)) problems.push(`${env}=${JSON.stringify(path)}: expected a PEM file with ${marker}`);
      return text;
    } catch (e) {
      problems.push(`${env}=${JSON.stringify(path)}: cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      return '';
    }
  };
  const out = {
    caPem: read('PODID_TLS_CA_FILE', cfg.tlsCaFile, 'CERTIFICATE'),
    certPem: read('PODID_TLS_CERT_FILE', cfg.tlsCertFile, 'CERTIFICATE'),
    keyPem: read('PODID_TLS_KEY_FILE', cfg.tlsKeyFile, ''),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
