/** OpenShift release images and the versions they carry, for the skew checks of spec 6. */
import type { HostedCluster } from '../hostedcluster/types.ts';
import { UsageError } from '../util/errors.ts';

export interface ReleaseVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release part, e.g. "rc.1" or "ec.2"; sorts before the release itself. */
  pre?: string;
  /**
   * The payload architecture the tag names (`4.15.10-multi`), canonical spelling: x86_64, aarch64,
   * ppc64le, s390x or multi. Not part of the version: the payload reports `4.15.10` for every arch.
   */
  arch?: string;
  /** The version as the payload and status.version report it: no arch. */
  text: string;
}

/**
 * Arch suffixes of OpenShift release tags (ocp-release:4.15.10-x86_64, -aarch64, -ppc64le, -s390x,
 * -multi). amd64/arm64 are the Go spellings some mirrors use for the same payloads.
 */
const ARCH_SUFFIX = /-(x86_64|amd64|aarch64|arm64|ppc64le|s390x|multi)$/;
const CANONICAL_ARCH: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64' };
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z][0-9A-Za-z.-]*))?$/;

/** The CRD's rule for release images: `^(\w+\S+)$`, at most 253 characters. */
export function assertReleaseImage(image: string, flag = '--release-image'): void {
  if (image.length > 253 || !/^\w+\S+$/.test(image)) {
    throw new UsageError(
      `${flag} "${image}" is not a valid image: it must start with a letter, digit or '_', contain no spaces, and be at most 253 characters`,
    );
  }
  const lastSlash = image.lastIndexOf('/');
  const ref = image.slice(lastSlash + 1);
  if (!ref.includes(':') && !ref.includes('@'))
    throw new UsageError(`${flag} "${image}" has no tag or digest (e.g. quay.io/openshift-release-dev/ocp-release:4.15.12-x86_64)`);
}

/** The version in an image tag such as `ocp-release:4.15.10-x86_64` (arch split off); undefined for digests or other tags. */
export function versionOfImage(image: string | undefined): ReleaseVersion | undefined {
  if (!image) return undefined;
  const ref = image.slice(image.lastIndexOf('/') + 1);
  if (ref.includes('@')) return undefined;
  const colon = ref.lastIndexOf(':');
  return colon < 0 ? undefined : parseVersion(ref.slice(colon + 1));
}

/**
 * A version as a release tag or status.version spells it. The arch suffix is split off first, so
 * `4.15.10-multi` is 4.15.10 for multi, not the pre-release "multi" (which sorted before 4.15.10).
 */
export function parseVersion(text: string | undefined): ReleaseVersion | undefined {
  if (!text) return undefined;
  let rest = text.trim();
  const arch = ARCH_SUFFIX.exec(rest);
  if (arch) rest = rest.slice(0, arch.index);
  const m = SEMVER.exec(rest);
  if (!m) return undefined;
  const v: ReleaseVersion = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4], text: rest };
  if (arch) v.arch = CANONICAL_ARCH[arch[1]] ?? arch[1];
  return v;
}

/**
 * Whether moving from `from`'s payload to `to`'s changes the architecture in a way HyperShift does
 * not support. Single-arch to multi (x86_64 → multi) is the documented migration and is allowed;
 * multi back to one arch, or one arch to another, is not. Unknown arches are not judged.
 */
export function archChangeProblem(from: ReleaseVersion, to: ReleaseVersion): string | undefined {
  if (!from.arch || !to.arch || from.arch === to.arch) return undefined;
  if (to.arch === 'multi') return undefined;
  return from.arch === 'multi'
    ? `${to.text}-${to.arch} is a single-arch payload and the cluster runs the multi-arch ${from.text}-multi: going back from multi-arch is not supported`
    : `${to.text}-${to.arch} is for ${to.arch} and the cluster runs ${from.arch} (${from.text}-${from.arch}): only the migration to a -multi payload changes the architecture`;
}

/** Orders versions; the arch is ignored (4.15.10-x86_64 and 4.15.10-multi are the same version). */
export function compareVersions(a: ReleaseVersion, b: ReleaseVersion): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] - b[k];
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1;
  if (b.pre === undefined) return -1;
  return a.pre.localeCompare(b.pre, undefined, { numeric: true });
}

export const minorOf = (v: ReleaseVersion) => `${v.major}.${v.minor}`;

/**
 * The minor version on upstream's 4.x scale: OCP 5.0 is 4.23, so 5.x is 4.(23+x)
 * (support/supportedversion/version.go normalizeToV4); skew rules count minors on it.
 */
export function ocpMinor(v: ReleaseVersion): number {
  return v.major === 5 ? 23 + v.minor : v.minor;
}

/** Where a version was read from, for messages. */
export type VersionSource = 'tag' | 'history' | 'desired' | 'metadata';

export interface ResolvedVersion {
  version: ReleaseVersion;
  source: VersionSource;
}

/**
 * The version of a release image: from its tag, else from the HostedCluster's own record of it
 * (`status.version.history` lists image and version for every release it ran or tried;
 * `status.version.desired` the one it works on), which also covers digest-pinned images it saw;
 * else what the image's own metadata declares, when the caller could read it.
 */
export function resolveReleaseVersion(image: string | undefined, hc: HostedCluster | null | undefined, declared?: string): ResolvedVersion | undefined {
  if (!image) return undefined;
  const tagged = versionOfImage(image);
  if (tagged) return { version: tagged, source: 'tag' };
  const version = hc?.status?.version;
  const seen = version?.history?.find((h) => h.image === image && parseVersion(h.version));
  if (seen) return { version: parseVersion(seen.version)!, source: 'history' };
  if (version?.desired?.image === image && parseVersion(version.desired.version)) return { version: parseVersion(version.desired.version)!, source: 'desired' };
  // What the release image itself declares (release-metadata.ts), when it could be read.
  if (parseVersion(declared)) return { version: parseVersion(declared)!, source: 'metadata' };
  return undefined;
}

/**
 * The version the control plane last finished: the first history entry with a completionTime, as
 * the NodePool controller takes it (nodepool_controller.go getHostedClusterVersion); before any
 * completed, the version of spec.release.image.
 */
export function completedControlPlaneVersion(hc: HostedCluster): ResolvedVersion | undefined {
  for (const h of hc.status?.version?.history ?? []) {
    if (!h.completionTime) continue;
    const v = parseVersion(h.version);
    return v ? { version: v, source: 'history' } : undefined;
  }
  return resolveReleaseVersion(hc.spec.release?.image, hc);
}
