/** OpenShift release images and the versions they carry, for the skew checks of spec 6. */
import { UsageError } from '../util/errors.ts';

export interface ReleaseVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release part, e.g. "rc.1" or "ec.2"; sorts before the release itself. */
  pre?: string;
  text: string;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-((?:rc|ec|fc)\.\d+|[0-9A-Za-z.-]+?))?(?:-(?:x86_64|aarch64|ppc64le|s390x|multi|amd64|arm64))?$/;

/** The CRD's rule for release images: `^(\w+\S+)$`, at most 253 characters. */
export function assertReleaseImage(image: string, flag = '--release-image'): void {
  if (image.length > 253 || !/^\w+\S+$/.test(image)) {
    throw new UsageError(`${flag} "${image}" is not a valid image: it must start with a letter, digit or '_', contain no spaces, and be at most 253 characters`);
  }
  const lastSlash = image.lastIndexOf('/');
  const ref = image.slice(lastSlash + 1);
  if (!ref.includes(':') && !ref.includes('@')) throw new UsageError(`${flag} "${image}" has no tag or digest (e.g. quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64)`);
}

/** The version in an image tag such as `ocp-release:4.15.10-x86_64`; undefined for digests or other tags. */
export function versionOfImage(image: string | undefined): ReleaseVersion | undefined {
  if (!image) return undefined;
  const ref = image.slice(image.lastIndexOf('/') + 1);
  if (ref.includes('@')) return undefined;
  const colon = ref.lastIndexOf(':');
  return colon < 0 ? undefined : parseVersion(ref.slice(colon + 1));
}

export function parseVersion(text: string | undefined): ReleaseVersion | undefined {
  if (!text) return undefined;
  const m = SEMVER.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4], text: `${m[1]}.${m[2]}.${m[3]}${m[4] ? `-${m[4]}` : ''}` };
}

export function compareVersions(a: ReleaseVersion, b: ReleaseVersion): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] - b[k];
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1;
  if (b.pre === undefined) return -1;
  return a.pre.localeCompare(b.pre, undefined, { numeric: true });
}

export const minorOf = (v: ReleaseVersion) => `${v.major}.${v.minor}`;
