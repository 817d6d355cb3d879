// Filling the krew manifest template plugin/hcp.yaml: pure functions, used by scripts/package.ts
// and tested by test/unit/krew-manifest.test.ts.

/** The placeholders plugin/hcp.yaml holds, written `{{NAME}}`. */
export const KREW_PLACEHOLDERS = ['VERSION', 'HOMEPAGE', 'URI', 'SHA256'] as const;
export type KrewPlaceholder = (typeof KREW_PLACEHOLDERS)[number];

export interface KrewRelease {
  /** Semver without the `v`, as in package.json; the manifest gets `v<version>`. */
  version: string;
  homepage: string;
  /** Where krew downloads the tarball from. */
  uri: string;
  /** sha256 of the tarball, 64 hex digits. */
  sha256: string;
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function releaseArchiveName(version: string): string {
  return `kubectl-hcp-${version}-linux-amd64.tar.gz`;
}

/** GitHub's download address for a release asset of tag `v<version>`. */
export function releaseUri(repoUrl: string, version: string): string {
  return `${repoUrl.replace(/\/+$/, '')}/releases/download/v${version}/${releaseArchiveName(version)}`;
}

export function fillKrewManifest(template: string, release: KrewRelease): string {
  if (!SEMVER.test(release.version)) throw new Error(`version "${release.version}" is not semver (x.y.z)`);
  if (!/^[0-9a-f]{64}$/.test(release.sha256)) throw new Error(`sha256 "${release.sha256}" is not 64 lower-case hex digits`);
  for (const [what, url] of [
    ['uri', release.uri],
    ['homepage', release.homepage],
  ]) {
    if (!/^https?:\/\/\S+$/.test(url)) throw new Error(`${what} "${url}" is not an http(s) URL`);
  }
  const values: Record<KrewPlaceholder, string> = {
    VERSION: release.version,
    HOMEPAGE: release.homepage,
    URI: release.uri,
    SHA256: release.sha256,
  };
  const filled = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`unknown placeholder ${whole} in the krew manifest template`);
    return values[name as KrewPlaceholder];
  });
  return filled;
}
