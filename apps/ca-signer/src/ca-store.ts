import type { CertAndKey } from '@podid/x509';

/** A CA as a store holds it, plus where it came from (named in every error). */
export interface StoredCa extends CertAndKey {
  /** For example `/var/lib/podid/ca/dev` or `Secret podid/podid-ca-dev`. */
  readonly source: string;
}

/**
 * Where CAs live, one per authenticator service id. `create` exists only in
 * local mode; a store never logs or returns key material anywhere but here.
 */
export interface CaStore {
  /** The CA, or undefined when none exists. A corrupt one throws FailedPreconditionError(CA_CORRUPT). */
  load(serviceId: string): Promise<StoredCa | undefined>;
  /** Creates and persists a new CA (local mode). */
  create?(serviceId: string): Promise<StoredCa>;
  /** Where the CA of serviceId is expected, for messages. */
  locationOf(serviceId: string): string;
}
