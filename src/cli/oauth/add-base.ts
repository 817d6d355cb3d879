/**
 * `oauth add <type>`: one subcommand per provider type, as kubectl has `create secret
 * generic|tls|docker-registry`, each declaring only its own flags. This base holds what they
 * share: NAME, --idp-name, --mapping-method, --wait, reading files and secrets, the lookup, the
 * plan and the report. The flags of several types are declared once here as factories.
 */
import { Option } from 'clipanion';
import * as t from 'typanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { assertObjectName } from '../base.ts';
import { hostedClusterArg, waitOption, waitTimeoutOption, waitTimeoutMs } from '../flags.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { HostedCluster } from '../../hostedcluster/types.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import { MAPPING_METHODS, type ExistingObject, type IdentityProvider, type IdpObject, type IdpRequest, type IdpTypeFlag } from '../../oauth/types.ts';
import { UsageError } from '../../util/errors.ts';
import { readInputFile } from '../../util/input-file.ts';

/** Every flag any provider type reads, as the command's fields (absent ones are undefined or empty). */
export interface IdpFlags {
  clientId?: string;
  clientSecretFile?: string;
  clientSecretEnv?: string;
  issuer?: string;
  claimEmail?: string[];
  claimName?: string[];
  claimPreferredUsername?: string[];
  claimGroups?: string[];
  extraScope?: string[];
  caFile?: string;
  htpasswdFile?: string;
  url?: string;
  bindDn?: string;
  bindPasswordFile?: string;
  bindPasswordEnv?: string;
  insecure?: boolean;
  attrId?: string[];
  attrEmail?: string[];
  attrName?: string[];
  attrPreferredUsername?: string[];
  domainName?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  loginUrl?: string;
  challengeUrl?: string;
  clientCommonName?: string[];
  header?: string[];
  emailHeader?: string[];
  nameHeader?: string[];
  preferredUsernameHeader?: string[];
  organization?: string[];
  team?: string[];
  hostname?: string;
  hostedDomain?: string;
}

/** Flags that several types share, declared once. */
export const idpFlag = {
  clientId: () => Option.String('--client-id', { description: 'OAuth client ID' }),
  clientSecretFile: () => Option.String('--client-secret-file', { description: 'File holding the client secret' }),
  clientSecretEnv: () => Option.String('--client-secret-env', { description: 'Environment variable holding the client secret' }),
  caFile: () => Option.String('--ca-file', { description: 'PEM CA bundle to trust (stored in a ConfigMap, key ca.crt)' }),
  url: (what: string) => Option.String('--url', { description: what }),
  tlsCertFile: () => Option.String('--tls-cert-file', { description: 'Client certificate (PEM)' }),
  tlsKeyFile: () => Option.String('--tls-key-file', { description: 'Client key (PEM)' }),
};

interface AddInput {
  request: IdpRequest;
  entry: IdentityProvider;
  objects: IdpObject[];
  waitMs?: number;
}

interface AddObserved {
  hc: HostedCluster;
  existing: ReadonlyMap<string, ExistingObject>;
}

type OAuthLib = typeof import('../../oauth/validate.ts') &
  typeof import('../../oauth/build.ts') &
  typeof import('../../oauth/read.ts') &
  typeof import('../../oauth/plan.ts') &
  typeof import('../../oauth/types.ts');

export abstract class OAuthAddBase extends MutatingCommand<AddInput, AddObserved> {
  name = hostedClusterArg();
  idpName = Option.String('--idp-name', { required: true, description: 'Name of the identity provider (prefixes identities, part of the callback URL)' });
  mappingMethod = Option.String('--mapping-method', { description: 'claim (default), lookup, generate or add', validator: t.isEnum(MAPPING_METHODS) });
  wait = waitOption('Wait for condition ValidIDPConfiguration and report it');
  waitTimeout = waitTimeoutOption('5m');

  /** The provider type this command adds. */
  protected abstract idpType(): IdpTypeFlag;

  protected lib!: OAuthLib;

  protected override async load(): Promise<void> {
    const mods = await Promise.all([
      import('../../oauth/validate.ts'),
      import('../../oauth/build.ts'),
      import('../../oauth/read.ts'),
      import('../../oauth/plan.ts'),
      import('../../oauth/types.ts'),
    ]);
    this.lib = Object.assign({}, ...mods) as OAuthLib;
  }

  protected validate(): AddInput {
    assertObjectName(this.name, 'HostedCluster');
    this.lib.assertIdpName(this.idpName);
    const request = this.readRequest(this.idpType(), this as IdpFlags);
    const { idp: entry, objects } = this.lib.buildIdentityProvider(request);
    return { request, entry, objects, waitMs: waitTimeoutMs(this.wait, this.waitTimeout) };
  }

  protected async observe(kube: KubeClient, { objects }: AddInput): Promise<AddObserved> {
    const hc = await this.getHostedCluster(kube, this.name);
    return { hc, existing: await this.lib.observeIdpObjects(kube, hc.metadata.namespace!, objects) };
  }

  protected plan({ entry, objects, waitMs }: AddInput, { hc, existing }: AddObserved) {
    const plan = this.lib.planIdpAdd({ hc, idp: entry, objects, existing, waitMs });
    const callback = this.callback(hc);
    if (callback) plan.warnings.push(this.lib.callbackNote(callback));
    return plan;
  }

  protected report(result: ExecutionResult, { entry, objects }: AddInput, { hc }: AddObserved): Report {
    const valid = result.artifacts.validIDPConfiguration as string | undefined;
    const callback = this.callback(hc);
    return {
      value: {
        hostedCluster: `${hc.metadata.namespace}/${hc.metadata.name}`,
        identityProvider: this.idpName,
        type: entry.type,
        callbackURL: callback?.url,
        callbackURLSource: callback?.source,
        secrets: objects.map((o) => `${o.kind}/${o.name}`),
        validIDPConfiguration: valid,
      },
      text: [
        `hostedcluster/${hc.metadata.name} identity provider ${this.idpName} (${entry.type}) added`,
        callback
          ? `callback URL: ${callback.url}${callback.source === 'status' ? '' : ` (${callback.source === 'route' ? 'from the OAuth route' : "the docs' form"}: not yet reported by the cluster)`}`
          : '',
        valid ? `ValidIDPConfiguration: ${valid}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    };
  }

  private callback(hc: HostedCluster): { url: string; source: 'status' | 'route' | 'docs' } | undefined {
    return this.lib.idpTypeInfo(this.idpType()).callback ? this.lib.callbackUrl(hc, this.idpName) : undefined;
  }

  /** Checks the type's flags and reads its files and secret: everything the builder needs, no API call. */
  protected readRequest(type: IdpTypeFlag, f: IdpFlags): IdpRequest {
    const lib = this.lib;
    if (f.issuer !== undefined) lib.assertIssuer(f.issuer);
    if (f.url !== undefined) lib.parseUrl(f.url, '--url', type === 'ldap' ? ['ldap', 'ldaps'] : ['https']);
    if (f.insecure && f.url?.startsWith('ldaps:')) throw new UsageError('--insecure cannot be used with an ldaps:// URL');
    for (const [flag, value] of [
      ['--login-url', f.loginUrl],
      ['--challenge-url', f.challengeUrl],
    ] as const)
      if (value !== undefined) lib.parseUrl(value, flag, ['https']);
    const pem = (file: string | undefined, flag: string, what: 'CERTIFICATE' | 'PRIVATE KEY') => {
      if (file === undefined) return undefined;
      const text = readInputFile(file, flag);
      lib.assertPem(text, flag, what);
      return text;
    };
    const ca = pem(f.caFile, '--ca-file', 'CERTIFICATE');
    const htpasswd = f.htpasswdFile !== undefined ? readInputFile(f.htpasswdFile, '--htpasswd-file') : undefined;
    if (htpasswd !== undefined) lib.assertHtpasswd(htpasswd, '--htpasswd-file');
    const tlsCert = pem(f.tlsCertFile, '--tls-cert-file', 'CERTIFICATE');
    const tlsKey = pem(f.tlsKeyFile, '--tls-key-file', 'PRIVATE KEY');
    const secretValue =
      type === 'ldap'
        ? this.secretFrom(f.bindPasswordFile, f.bindPasswordEnv, '--bind-password')
        : this.secretFrom(f.clientSecretFile, f.clientSecretEnv, '--client-secret');
    const list = (v: string[] | undefined) => v ?? [];
    return {
      hcName: this.name,
      type,
      name: this.idpName,
      mappingMethod: this.mappingMethod,
      clientId: f.clientId,
      secretValue,
      issuer: f.issuer,
      url: f.url,
      claims: { email: list(f.claimEmail), name: list(f.claimName), preferredUsername: list(f.claimPreferredUsername), groups: list(f.claimGroups) },
      extraScopes: list(f.extraScope),
      ca,
      htpasswd,
      bindDN: f.bindDn,
      insecure: f.insecure ?? false,
      attributes: { id: list(f.attrId), email: list(f.attrEmail), name: list(f.attrName), preferredUsername: list(f.attrPreferredUsername) },
      domainName: f.domainName,
      tlsCert,
      tlsKey,
      loginURL: f.loginUrl,
      challengeURL: f.challengeUrl,
      clientCommonNames: list(f.clientCommonName),
      headers: list(f.header),
      emailHeaders: list(f.emailHeader),
      nameHeaders: list(f.nameHeader),
      preferredUsernameHeaders: list(f.preferredUsernameHeader),
      organizations: list(f.organization),
      teams: list(f.team),
      hostname: f.hostname,
      hostedDomain: f.hostedDomain,
    };
  }

  /** The secret from exactly one of a file or an environment variable; its value is never shown. */
  private secretFrom(file: string | undefined, env: string | undefined, flag: string): string | undefined {
    if (file !== undefined && env !== undefined) throw new UsageError(`give ${flag}-file or ${flag}-env, not both`);
    if (file !== undefined) {
      const text = readInputFile(file, `${flag}-file`).replace(/\r?\n$/, '');
      if (!text) throw new UsageError(`${flag}-file ${file} is empty`);
      return text;
    }
    if (env !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) throw new UsageError(`${flag}-env "${env}" is not an environment variable name`);
      const value = this.context.env[env];
      if (!value) throw new UsageError(`${flag}-env: environment variable ${env} is not set or empty`);
      return value;
    }
    return undefined;
  }
}
