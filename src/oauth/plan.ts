/** Plans for `oauth add` and `oauth remove`: the whole-list write, the referenced objects and the wait. */
import { Resources, describeRef, type ObjectRef } from '../kube/resources.ts';
import type { Change, Plan, Step } from '../plan/plan.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { condition } from '../hostedcluster/types.ts';
import { waitFor } from '../kube/wait.ts';
import { RuntimeError } from '../util/errors.ts';
import { identityProvidersOf, referencedObjects } from './read.ts';
import { IDP_ANNOTATION, type IdentityProvider, type IdpObject } from './types.ts';

const hcRef = (hc: HostedCluster): ObjectRef => ({ resource: Resources.HostedCluster, namespace: hc.metadata.namespace, name: hc.metadata.name });

function withOAuthList(obj: HostedCluster, list: IdentityProvider[]): void {
  const spec = obj.spec as Record<string, unknown>;
  const configuration = (spec.configuration ??= {}) as Record<string, unknown>;
  const oauth = (configuration.oauth ??= {}) as Record<string, unknown>;
  oauth.identityProviders = list;
}

/**
 * Writes the whole list through read-modify-write: `edit` is applied to the list as it is on the
 * server at that moment, and the PUT carries that resourceVersion; a 409 re-reads and re-applies.
 */
function listWriteStep(hc: HostedCluster, id: string, title: string, preview: IdentityProvider[], edit: (list: IdentityProvider[]) => IdentityProvider[]): Step {
  const ref = hcRef(hc);
  return {
    id,
    title,
    details: [
      `PUT ${describeRef(ref)} with the resourceVersion just read (re-read and retried on a conflict); spec.configuration.oauth.identityProviders becomes:`,
      `  ${JSON.stringify(preview)}`,
    ],
    serverDryRun: 'run',
    run: async (ctx) => {
      const { object } = await ctx.kube.update<HostedCluster>(ref.resource, ref.namespace, ref.name, (obj) => withOAuthList(obj, edit(identityProvidersOf(obj))));
      return { generation: object.metadata.generation as number | undefined };
    },
  };
}

function objectChanges(hc: HostedCluster, objects: IdpObject[], existing: Set<string>, idpName: string): Change[] {
  const ns = hc.metadata.namespace!;
  return objects.map((o): Change => {
    const resource = o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap;
    const ref: ObjectRef = { resource, namespace: ns, name: o.name };
    const data = o.kind === 'Secret' ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])) : o.data;
    if (existing.has(`${o.kind}/${o.name}`)) return { op: 'patch', ref, patchType: 'merge', patch: { data } };
    const metadata = { name: o.name, namespace: ns, annotations: { [IDP_ANNOTATION]: `${hc.metadata.name}/${idpName}` } };
    return { op: 'create', ref, body: { metadata, ...(o.type ? { type: o.type } : {}), data } };
  });
}

function waitIdpStep(hc: HostedCluster, waitMs: number): Step {
  const ref = hcRef(hc);
  return {
    id: 'wait-valid-idp',
    title: 'Wait for condition ValidIDPConfiguration',
    details: [`waits up to ${Math.round(waitMs / 1000)}s for the operator to report ValidIDPConfiguration for the new generation`],
    run: async (ctx) => {
      const generation = ctx.artifacts.generation as number | undefined;
      const r = await waitFor(
        'ValidIDPConfiguration',
        async () => {
          const fresh = await ctx.kube.get<HostedCluster>(ref.resource, ref.namespace, ref.name);
          const c = condition(fresh, 'ValidIDPConfiguration');
          const current = c && (generation === undefined || c.observedGeneration === undefined || c.observedGeneration >= generation);
          return { done: Boolean(current), message: c ? `${c.status}${c.reason ? `/${c.reason}` : ''}${current ? '' : ' (for an older generation)'}` : 'not reported', value: c };
        },
        { timeoutMs: waitMs, intervalMs: 1000, onProgress: ctx.progress },
      );
      if (r.timedOut) throw new RuntimeError(`the operator did not report ValidIDPConfiguration within ${Math.round(waitMs / 1000)}s (${r.message})`, { state: 'the identity provider configuration is written' });
      if (r.value?.status !== 'True') {
        throw new RuntimeError(`ValidIDPConfiguration is ${r.value?.status}${r.value?.reason ? ` (${r.value.reason})` : ''}: ${r.value?.message ?? ''}`, { state: 'the identity provider configuration is written but the operator rejects it' });
      }
      return { validIDPConfiguration: `${r.value.status}${r.value.reason ? `/${r.value.reason}` : ''}${r.value.message ? `: ${r.value.message}` : ''}` };
    },
  };
}

export interface AddInputs {
  hc: HostedCluster;
  idp: IdentityProvider;
  objects: IdpObject[];
  /** `Secret/name` and `ConfigMap/name` of the objects that already exist. */
  existing: Set<string>;
  waitMs?: number;
}

export function planIdpAdd({ hc, idp, objects, existing, waitMs }: AddInputs): Plan {
  const ref = hcRef(hc);
  const plan: Plan = { operation: 'oauth-add', target: describeRef(ref), steps: [], warnings: [], blockers: [], journal: false };
  const current = identityProvidersOf(hc);
  if (current.some((p) => p.name === idp.name)) {
    plan.blockers.push({ message: `an identity provider named "${idp.name}" already exists (remove it first with 'kubectl hcp oauth remove ${hc.metadata.name} --idp-name ${idp.name}')` });
    return plan;
  }
  if (!current.length) plan.warnings.push(`this is the first identity provider of ${hc.metadata.name}: adding it removes the kubeadmin login (spec 3.1)`);
  for (const o of objects) if (existing.has(`${o.kind}/${o.name}`)) plan.warnings.push(`${o.kind} ${hc.metadata.namespace}/${o.name} exists and is updated`);
  if (objects.length) {
    const created = objects.filter((o) => !existing.has(`${o.kind}/${o.name}`));
    plan.steps.push({
      id: 'write-objects',
      title: `Write ${objects.map((o) => `${o.kind} ${o.name}`).join(', ')}`,
      changes: objectChanges(hc, objects, existing, idp.name),
      undo: created.length
        ? { title: `delete ${created.map((o) => `${o.kind} ${o.name}`).join(', ')}`, changes: created.map((o) => ({ op: 'delete', ref: { resource: o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap, namespace: hc.metadata.namespace, name: o.name } }) as Change) }
        : undefined,
    });
  }
  plan.steps.push(
    listWriteStep(hc, 'add-idp', `Add identity provider ${idp.name} (${idp.type}) to ${describeRef(ref)}`, [...current, idp], (list) => {
      if (list.some((p) => p.name === idp.name)) throw new RuntimeError(`an identity provider named "${idp.name}" was added concurrently`);
      return [...list, idp];
    }),
  );
  if (waitMs !== undefined) plan.steps.push(waitIdpStep(hc, waitMs));
  return plan;
}

export interface RemoveInputs {
  hc: HostedCluster;
  name: string;
  deleteSecrets: boolean;
  waitMs?: number;
}

export function planIdpRemove({ hc, name, deleteSecrets, waitMs }: RemoveInputs): Plan {
  const ref = hcRef(hc);
  const plan: Plan = { operation: 'oauth-remove', target: describeRef(ref), steps: [], warnings: [], blockers: [], journal: false };
  const current = identityProvidersOf(hc);
  const victim = current.find((p) => p.name === name);
  if (!victim) {
    plan.blockers.push({ message: `no identity provider named "${name}" (it has: ${current.map((p) => p.name).join(', ') || 'none'})` });
    return plan;
  }
  const rest = current.filter((p) => p.name !== name);
  if (!rest.length) plan.warnings.push(`this removes the last identity provider of ${hc.metadata.name}: only kubeadmin can log in afterwards, if its secret still exists`);
  plan.steps.push({
    ...listWriteStep(hc, 'remove-idp', `Remove identity provider ${name} (${victim.type}) from ${describeRef(ref)}`, rest, (list) => list.filter((p) => p.name !== name)),
    destructive: true,
  });
  const refs = referencedObjects(victim);
  const stillUsed = rest.map(referencedObjects);
  const secrets = refs.secrets.filter((s) => !stillUsed.some((u) => u.secrets.includes(s)));
  const configMaps = refs.configMaps.filter((c) => !stillUsed.some((u) => u.configMaps.includes(c)));
  if (deleteSecrets && secrets.length + configMaps.length) {
    plan.steps.push({
      id: 'delete-objects',
      title: `Delete ${[...secrets.map((s) => `Secret ${s}`), ...configMaps.map((c) => `ConfigMap ${c}`)].join(', ')}`,
      destructive: true,
      changes: [
        ...secrets.map((s): Change => ({ op: 'delete', ref: { resource: Resources.Secret, namespace: hc.metadata.namespace, name: s } })),
        ...configMaps.map((c): Change => ({ op: 'delete', ref: { resource: Resources.ConfigMap, namespace: hc.metadata.namespace, name: c } })),
      ],
    });
  } else if (!deleteSecrets && secrets.length + configMaps.length) {
    plan.warnings.push(`its ${[...secrets, ...configMaps].join(', ')} stay${secrets.length + configMaps.length === 1 ? 's' : ''} (pass --delete-secrets to delete them)`);
  }
  if (waitMs !== undefined) plan.steps.push(waitIdpStep(hc, waitMs));
  return plan;
}
