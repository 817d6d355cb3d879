/** Plans for `oauth add` and `oauth remove`: the whole-list write, the referenced objects and the wait. */
import { Resources, describeRef, type ObjectRef } from '../kube/resources.ts';
import { mergePatchHolds } from '../kube/patch.ts';
import { newPlan, type Change, type Plan, type Step } from '../plan/plan.ts';
import { hcRef } from '../hostedcluster/lookup.ts';
import type { HostedCluster } from '../hostedcluster/types.ts';
import { condition, controlPlaneNamespace } from '../hostedcluster/types.ts';
import { isForbidden } from '../kube/errors.ts';
import { waitInStep } from '../plan/wait-step.ts';
import { RuntimeError } from '../util/errors.ts';
import { identityProvidersOf, referencedObjectList, referencedObjects } from './read.ts';
import { dataDigest, IDP_ANNOTATION, idpOwner, type ExistingObject, type IdentityProvider, type IdpObject } from './types.ts';

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
function listWriteStep(
  hc: HostedCluster,
  id: string,
  title: string,
  preview: IdentityProvider[],
  /** The list to write, or undefined when it already is as wanted (nothing is written). */
  edit: (list: IdentityProvider[]) => IdentityProvider[] | undefined,
): Step {
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
      const { object } = await ctx.kube.update<HostedCluster>(ref.resource, ref.namespace, ref.name, (obj) => {
        const list = edit(identityProvidersOf(obj));
        if (!list) return false;
        withOAuthList(obj, list);
      });
      return { generation: object.metadata.generation as number | undefined };
    },
  };
}

/** An object's data as the API stores it (Secret values base64). */
function storedData(o: IdpObject): Record<string, string> {
  return o.kind === 'Secret' ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])) : o.data;
}

function objectChanges(hc: HostedCluster, objects: IdpObject[], existing: ReadonlyMap<string, ExistingObject>, idpName: string): Change[] {
  const ns = hc.metadata.namespace!;
  return objects.flatMap((o): Change[] => {
    const resource = o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap;
    const ref: ObjectRef = { resource, namespace: ns, name: o.name };
    const data = storedData(o);
    const found = existing.get(`${o.kind}/${o.name}`);
    // The resourceVersion read with the owner annotation: if someone changed the object since, the
    // patch fails instead of overwriting what may no longer be ours.
    // Already holding exactly this data (a re-run after a failure that came after the write): no write,
    // so a retried run never applies the same write twice (issue 11, fault injection).
    if (found?.dataDigest && found.dataDigest === dataDigest(data)) return [];
    if (found) return [{ op: 'patch', ref, patchType: 'merge', patch: { metadata: { resourceVersion: found.resourceVersion }, data } }];
    const metadata = { name: o.name, namespace: ns, annotations: { [IDP_ANNOTATION]: idpOwner(hc.metadata.name, idpName) } };
    return [{ op: 'create', ref, body: { metadata, ...(o.type ? { type: o.type } : {}), data } }];
  });
}

/**
 * Waits for the operator's verdict on the write. Upstream makes that verdict in two places:
 * the control-plane operator evaluates the HostedControlPlane's identity providers
 * (hostedcontrolplane_controller.go reconcileValidIDPConfigurationCondition, late in update(),
 * after the status patch that stamps the other conditions), and the HostedCluster controller
 * copies that condition onto the HostedCluster stamped with the HostedCluster's own generation
 * (hostedcluster_controller.go "Copy conditions from hostedcontrolplane"), so a verdict about the
 * previous list can carry the new generation. A verdict counts when (issue 13 item 11):
 * - the HostedCluster's condition has observedGeneration ≥ the write's generation and is not
 *   Unknown (Unknown, or no observedGeneration, is "not yet");
 * - the HostedControlPlane, where it can be read, already has the written list, its condition
 *   was not computed for an older HCP generation, and it says the same;
 * - it has stayed the same for `settleMs` (the HCP evaluates after its status patch).
 */
function waitIdpStep(hc: HostedCluster, waitMs: number, settleMs: number): Step {
  const ref = hcRef(hc);
  const hcpRef: ObjectRef = {
    resource: Resources.HostedControlPlane,
    namespace: controlPlaneNamespace(hc.metadata.namespace!, hc.metadata.name),
    name: hc.metadata.name,
  };
  return {
    id: 'wait-valid-idp',
    title: 'Wait for condition ValidIDPConfiguration',
    details: [
      `waits up to ${Math.round(waitMs / 1000)}s for ValidIDPConfiguration True or False for the written generation, on ${describeRef(ref)} and (if readable) ${describeRef(hcpRef)}`,
      `the verdict must hold for ${Math.round(settleMs / 1000)}s`,
    ],
    run: async (ctx) => {
      const generation = ctx.artifacts.generation as number | undefined;
      let hcpReadable = true;
      let since: { key: string; at: number } | undefined;
      const r = await waitInStep(
        ctx,
        'ValidIDPConfiguration',
        async () => {
          const fresh = await ctx.kube.get<HostedCluster>(ref.resource, ref.namespace, ref.name);
          const c = condition(fresh, 'ValidIDPConfiguration');
          const want = generation ?? (typeof fresh.metadata.generation === 'number' ? fresh.metadata.generation : undefined);
          const notYet = (why: string) => {
            since = undefined;
            return { done: false, message: why, value: c };
          };
          if (!c) return notYet('not reported');
          const seen = `${c.status}${c.reason ? `/${c.reason}` : ''}`;
          if (want !== undefined && (c.observedGeneration === undefined || c.observedGeneration < want))
            return notYet(`${seen} (observedGeneration ${c.observedGeneration ?? 'unset'}, want ${want})`);
          if (c.status === 'Unknown') return notYet(seen);
          if (hcpReadable) {
            const hcp = await ctx.kube.getOrNull<HostedCluster>(hcpRef.resource, hcpRef.namespace, hcpRef.name).catch((err: unknown) => {
              if (isForbidden(err)) return undefined;
              throw err;
            });
            if (hcp === undefined || hcp === null) {
              hcpReadable = false;
              ctx.warn(`cannot read ${describeRef(hcpRef)}: the verdict is taken from the HostedCluster alone, which can briefly show the previous list's`);
            } else {
              const names = (x: HostedCluster) => JSON.stringify(identityProvidersOf(x).map((p) => p.name));
              if (names(hcp) !== names(fresh)) return notYet(`${seen} (the HostedControlPlane does not have the new list yet)`);
              const hcpCond = condition(hcp, 'ValidIDPConfiguration');
              const hcpGeneration = typeof hcp.metadata.generation === 'number' ? hcp.metadata.generation : undefined;
              if (!hcpCond) return notYet(`${seen} (not reported on the HostedControlPlane yet)`);
              if (hcpCond.observedGeneration !== undefined && hcpGeneration !== undefined && hcpCond.observedGeneration < hcpGeneration)
                return notYet(`${seen} (the HostedControlPlane judged an older generation)`);
              if (hcpCond.status !== c.status) return notYet(`${seen} (the HostedControlPlane says ${hcpCond.status})`);
            }
          }
          const key = `${c.status}|${c.reason}|${c.message}`;
          const now = ctx.clock.now();
          if (!since || since.key !== key) since = { key, at: now };
          return { done: now - since.at >= settleMs, message: `${seen} (settling)`, value: c };
        },
        { timeoutMs: waitMs, intervalMs: 1000 },
      );
      if (r.timedOut)
        throw new RuntimeError(`the operator did not report ValidIDPConfiguration within ${Math.round(waitMs / 1000)}s (${r.message})`, {
          state: 'the identity provider configuration is written',
        });
      if (r.value?.status !== 'True') {
        throw new RuntimeError(`ValidIDPConfiguration is ${r.value?.status}${r.value?.reason ? ` (${r.value.reason})` : ''}: ${r.value?.message ?? ''}`, {
          state: 'the identity provider configuration is written but the operator rejects it',
        });
      }
      return { validIDPConfiguration: `${r.value.status}${r.value.reason ? `/${r.value.reason}` : ''}${r.value.message ? `: ${r.value.message}` : ''}` };
    },
  };
}

/** How long a ValidIDPConfiguration verdict must hold before --wait takes it. */
export const IDP_SETTLE_MS = 5000;

export interface AddInputs {
  hc: HostedCluster;
  idp: IdentityProvider;
  objects: IdpObject[];
  /** The objects that already exist, keyed `Kind/name` (see observeIdpObjects). */
  existing: ReadonlyMap<string, ExistingObject>;
  waitMs?: number;
  /** How long the verdict must hold (default IDP_SETTLE_MS). */
  settleMs?: number;
}

export function planIdpAdd({ hc, idp, objects, existing, waitMs, settleMs = IDP_SETTLE_MS }: AddInputs): Plan {
  const ref = hcRef(hc);
  const plan = newPlan('oauth-add', describeRef(ref));
  const current = identityProvidersOf(hc);
  const owner = idpOwner(hc.metadata.name, idp.name);
  const same = current.find((p) => p.name === idp.name);
  // Exactly this provider, with its objects as this add would write them, is already there: an
  // earlier add whose answer was lost, or a re-run after its --wait failed. Running again converges
  // (issue 11, fault injection) instead of refusing what it asked for itself.
  if (
    same &&
    mergePatchHolds(same, idp) &&
    objects.every((o) => {
      const found = existing.get(`${o.kind}/${o.name}`);
      return found?.owner === owner && found.dataDigest === dataDigest(storedData(o));
    })
  ) {
    plan.warnings.push(`identity provider ${idp.name} is already in ${hc.metadata.name}'s list as given, with its objects: nothing to write`);
    if (waitMs !== undefined) plan.steps.push(waitIdpStep(hc, waitMs, settleMs));
    return plan;
  }
  if (same) {
    plan.blockers.push({
      message: `an identity provider named "${idp.name}" already exists (remove it first with 'kubectl hcp oauth remove ${hc.metadata.name} --idp-name ${idp.name}')`,
    });
    return plan;
  }
  if (!current.length) plan.warnings.push(`this is the first identity provider of ${hc.metadata.name}: adding it removes the kubeadmin login (spec 3.1)`);
  for (const o of objects) {
    const found = existing.get(`${o.kind}/${o.name}`);
    if (!found) continue;
    // Only an object this tool made for this very provider may be rewritten: anything else holds
    // somebody else's credentials (issue 13 item 6).
    if (found.owner === owner) plan.warnings.push(`${o.kind} ${hc.metadata.namespace}/${o.name} is left from an earlier add of ${idp.name} and is updated`);
    else {
      plan.blockers.push({
        message: `${o.kind} ${hc.metadata.namespace}/${o.name} already exists and ${found.owner ? `belongs to identity provider ${found.owner}` : `was not created by kubectl-hcp for ${owner}`}: it is not overwritten (delete it, or choose another --idp-name)`,
      });
    }
  }
  if (plan.blockers.length) return plan;
  if (objects.length) {
    const created = objects.filter((o) => !existing.has(`${o.kind}/${o.name}`));
    plan.steps.push({
      id: 'write-objects',
      title: `Write ${objects.map((o) => `${o.kind} ${o.name}`).join(', ')}`,
      changes: objectChanges(hc, objects, existing, idp.name),
      // Undone only while the list does not reference them: once the provider is in the list (a
      // later --wait failed), deleting its Secret would leave it pointing at nothing.
      undo: created.length
        ? {
            title: `delete ${created.map((o) => `${o.kind} ${o.name}`).join(', ')} unless ${idp.name} made it into the list`,
            run: async (ctx) => {
              const now = await ctx.kube.get<HostedCluster>(ref.resource, ref.namespace, ref.name);
              if (identityProvidersOf(now).some((p) => p.name === idp.name)) return;
              for (const o of created) await ctx.kube.delete(o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap, hc.metadata.namespace, o.name);
            },
          }
        : undefined,
    });
  }
  plan.steps.push(
    listWriteStep(hc, 'add-idp', `Add identity provider ${idp.name} (${idp.type}) to ${describeRef(ref)}`, [...current, idp], (list) => {
      const there = list.find((p) => p.name === idp.name);
      // This very provider: the step's own write whose answer was lost, run again.
      if (there && mergePatchHolds(there, idp)) return undefined;
      if (there) throw new RuntimeError(`an identity provider named "${idp.name}" was added concurrently`);
      return [...list, idp];
    }),
  );
  if (waitMs !== undefined) plan.steps.push(waitIdpStep(hc, waitMs, settleMs));
  return plan;
}

export interface RemoveInputs {
  hc: HostedCluster;
  name: string;
  deleteSecrets: boolean;
  /**
   * With deleteSecrets: the referenced objects as they are (see observeIdpObjects); only those
   * annotated as created for this cluster's provider are deleted.
   */
  objects?: ReadonlyMap<string, ExistingObject>;
  waitMs?: number;
  settleMs?: number;
}

export function planIdpRemove({ hc, name, deleteSecrets, objects, waitMs, settleMs = IDP_SETTLE_MS }: RemoveInputs): Plan {
  const ref = hcRef(hc);
  const plan = newPlan('oauth-remove', describeRef(ref));
  const current = identityProvidersOf(hc);
  const victim = current.find((p) => p.name === name);
  if (!victim) {
    plan.blockers.push({ message: `no identity provider named "${name}" (it has: ${current.map((p) => p.name).join(', ') || 'none'})` });
    return plan;
  }
  const rest = current.filter((p) => p.name !== name);
  if (!rest.length)
    plan.warnings.push(`this removes the last identity provider of ${hc.metadata.name}: only kubeadmin can log in afterwards, if its secret still exists`);
  plan.steps.push({
    ...listWriteStep(hc, 'remove-idp', `Remove identity provider ${name} (${victim.type}) from ${describeRef(ref)}`, rest, (list) =>
      // Gone already: the step's own write whose answer was lost, run again.
      list.some((p) => p.name === name) ? list.filter((p) => p.name !== name) : undefined,
    ),
    destructive: true,
  });
  const stillUsed = rest.map(referencedObjects);
  const unused = referencedObjectList(victim).filter((o) => !stillUsed.some((u) => (o.kind === 'Secret' ? u.secrets : u.configMaps).includes(o.name)));
  const describe = (o: { kind: string; name: string }) => `${o.kind} ${o.name}`;
  if (!deleteSecrets) {
    if (unused.length)
      plan.warnings.push(`its ${unused.map((o) => o.name).join(', ')} stay${unused.length === 1 ? 's' : ''} (pass --delete-secrets to delete them)`);
  } else {
    // Only what `oauth add` created for this very provider is ours to delete: a Secret shared with
    // another HostedCluster, or made by hand, stays (issue 13 item 7).
    const owner = idpOwner(hc.metadata.name, name);
    const present = unused.filter((o) => objects?.has(`${o.kind}/${o.name}`));
    const ours = present.filter((o) => objects!.get(`${o.kind}/${o.name}`)!.owner === owner);
    const foreign = present.filter((o) => !ours.includes(o));
    if (foreign.length) {
      plan.warnings.push(
        `left in place: ${foreign.map((o) => `${describe(o)} (${objects!.get(`${o.kind}/${o.name}`)!.owner ? `annotated for ${objects!.get(`${o.kind}/${o.name}`)!.owner}` : 'not created by kubectl-hcp'})`).join(', ')}: only objects annotated ${IDP_ANNOTATION}=${owner} are deleted`,
      );
    }
    if (ours.length) {
      plan.steps.push({
        id: 'delete-objects',
        title: `Delete ${ours.map(describe).join(', ')}`,
        destructive: true,
        changes: ours.map(
          (o): Change => ({
            op: 'delete',
            ref: { resource: o.kind === 'Secret' ? Resources.Secret : Resources.ConfigMap, namespace: hc.metadata.namespace, name: o.name },
          }),
        ),
      });
    }
  }
  if (waitMs !== undefined) plan.steps.push(waitIdpStep(hc, waitMs, settleMs));
  return plan;
}
