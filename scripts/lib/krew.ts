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

/** The description's `Commands:` line lists every top-level command group: generated, never typed. */
const COMMANDS_LINE = /^( +)Commands: .*$/m;

export function commandGroupsLine(groups: readonly string[]): string {
  return `Commands: ${[...new Set(groups)].sort().join(', ')}.`;
}

/** The template with its `Commands:` line listing `groups` (`npm run docs` writes it; the docs test checks it). */
export function withCommandGroups(template: string, groups: readonly string[]): string {
  if (!COMMANDS_LINE.test(template)) throw new Error('plugin/hcp.yaml has no "Commands: …" line in its description');
  return template.replace(COMMANDS_LINE, (_line, indent: string) => `${indent}${commandGroupsLine(groups)}`);
}
