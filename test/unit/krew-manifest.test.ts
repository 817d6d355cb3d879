import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { KREW_PLACEHOLDERS, fillKrewManifest, releaseArchiveName, releaseUri } from '../../scripts/lib/krew.ts';
import { repoRoot } from '../../scripts/lib/dist.ts';

interface KrewPlatform {
  selector: { matchLabels: Record<string, string> };
  uri: string;
  sha256: string;
  bin: string;
}
interface KrewPlugin {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    homepage: string;
    shortDescription: string;
    description: string;
    caveats: string;
    platforms: KrewPlatform[];
  };
}

const template = readFileSync(join(repoRoot, 'plugin/hcp.yaml'), 'utf8');
const sha256 = createHash('sha256').update('kubectl-hcp').digest('hex');
const release = {
  version: '1.2.3',
  homepage: 'https://github.com/example/kubectl-hcp',
  uri: releaseUri('https://github.com/example/kubectl-hcp/', '1.2.3'),
  sha256,
};

describe('plugin/hcp.yaml, the krew manifest template', () => {
  const plugin = load(template) as KrewPlugin;

  it('is a krew Plugin named hcp', () => {
    expect(plugin.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(plugin.kind).toBe('Plugin');
    expect(plugin.metadata.name).toBe('hcp');
  });

  it('has the descriptive fields krew-index asks for', () => {
    for (const field of ['version', 'homepage', 'shortDescription', 'description', 'caveats'] as const) {
      expect(plugin.spec[field], field).toEqual(expect.any(String));
      expect(plugin.spec[field].length, field).toBeGreaterThan(0);
    }
    // krew-index keeps short descriptions under ~50 characters.
    expect(plugin.spec.shortDescription.length).toBeLessThanOrEqual(55);
  });

  it('has exactly one linux/amd64 platform whose bin is kubectl-hcp', () => {
    expect(plugin.spec.platforms).toHaveLength(1);
    const [platform] = plugin.spec.platforms;
    expect(platform.selector.matchLabels).toEqual({ os: 'linux', arch: 'amd64' });
    expect(platform.bin).toBe('kubectl-hcp');
  });

  it('leaves version, homepage, uri and sha256 as placeholders', () => {
    expect(plugin.spec.version).toBe('v{{VERSION}}');
    expect(plugin.spec.homepage).toBe('{{HOMEPAGE}}');
    expect(plugin.spec.platforms[0].uri).toBe('{{URI}}');
    expect(plugin.spec.platforms[0].sha256).toBe('{{SHA256}}');
    const used = [...template.matchAll(/\{\{([A-Z0-9_]+)\}\}/g)].map((m) => m[1]);
    expect(new Set(used)).toEqual(new Set(KREW_PLACEHOLDERS));
  });
});

describe('fillKrewManifest', () => {
  it('fills every placeholder and keeps the manifest valid YAML', () => {
    const filled = fillKrewManifest(template, release);
    expect(filled).not.toMatch(/\{\{[A-Z0-9_]+\}\}/);
    const plugin = load(filled) as KrewPlugin;
    expect(plugin.spec.version).toBe('v1.2.3');
    expect(plugin.spec.homepage).toBe('https://github.com/example/kubectl-hcp');
    const [platform] = plugin.spec.platforms;
    expect(platform.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(platform.sha256).toBe(sha256);
    expect(platform.uri).toBe('https://github.com/example/kubectl-hcp/releases/download/v1.2.3/kubectl-hcp-1.2.3-linux-amd64.tar.gz');
    expect(platform.uri.endsWith(releaseArchiveName('1.2.3'))).toBe(true);
  });

  it.each([
    ['a sha256 that is not 64 hex digits', { sha256: 'abc' }, /sha256/],
    ['an upper-case sha256', { sha256: sha256.toUpperCase() }, /sha256/],
    ['a version that is not semver', { version: 'v1.2' }, /semver/],
    ['a uri that is not http(s)', { uri: 'dist/kubectl-hcp.tar.gz' }, /uri/],
  ])('rejects %s', (_what, override, message) => {
    expect(() => fillKrewManifest(template, { ...release, ...override })).toThrow(message);
  });

  it('rejects a template with an unknown placeholder', () => {
    expect(() => fillKrewManifest(`${template}\n# {{LICENSE}}\n`, release)).toThrow(/unknown placeholder \{\{LICENSE\}\}/);
  });
});
