/** Performs the declarative changes of a plan (see Change in plan.ts). */
import type { KubeClient } from '../kube/client.ts';
import { ApiError, isAlreadyExists } from '../kube/errors.ts';
import { RuntimeError } from '../util/errors.ts';
import { describeRef, type KubeObject } from '../kube/resources.ts';
import type { Change } from './plan.ts';

/** Performs one declarative change. Creating what exists with ifExists=skip is success. */
export async function applyChange(kube: KubeClient, change: Change): Promise<void> {
  const { ref } = change;
  switch (change.op) {
    case 'patch':
      try {
        await kube.patch(ref.resource, ref.namespace, ref.name, change.patch, change.patchType, { subresource: change.subresource });
      } catch (err) {
        throw guardFailed(change, err) ?? err;
      }
      return;
    case 'create':
      try {
        await kube.create(ref.resource, ref.namespace, change.body);
      } catch (err) {
        if (change.ifExists === 'skip' && isAlreadyExists(err)) return;
        throw err;
      }
      return;
    case 'delete':
      await kube.delete(ref.resource, ref.namespace, ref.name, { propagationPolicy: change.propagationPolicy });
      return;
    case 'scale':
      if (!ref.namespace) throw new Error(`scale needs a namespace: ${describeRef(ref)}`);
      await kube.scale(ref.resource, ref.namespace, ref.name, change.replicas);
      return;
  }
}

/**
 * A JSON patch whose `test` guard no longer holds is answered 422 "the server rejected our request
 * due to an error in our request", which names nothing. Say what it means: the object changed since
 * the plan read it, and nothing was written.
 */
function guardFailed(change: Extract<Change, { op: 'patch' }>, err: unknown): Error | undefined {
  if (!(err instanceof ApiError) || err.statusCode !== 422 || change.patchType !== 'json' || !Array.isArray(change.patch)) return undefined;
  if (!/rejected our request due to an error in our request/.test(err.message)) return undefined;
  const guards = (change.patch as { op?: string; path?: string; value?: unknown }[]).filter((op) => op?.op === 'test');
  if (!guards.length) return undefined;
  const what = guards.map((g) => `${g.path} == ${JSON.stringify(g.value)}`).join(', ');
  return new RuntimeError(
    `${describeRef(change.ref)} changed since it was read (the patch is guarded by ${what}, which no longer holds): nothing was written; run the command again to plan against the object as it is now`,
    { cause: err },
  );
}

/**
 * Whether a change already holds on the server: read before a step is run again after a transient
 * failure, so that a write whose answer was lost (applied, then the connection reset) is not sent a
 * second time. A merge or strategic patch holds when every field it sets is already so (RFC 7386:
 * null means absent; lists compared whole); a scale when spec.replicas is the count; a create when
 * the object exists; a delete when it is gone. A JSON patch cannot be judged: it is sent again (its
 * `test` guards make that safe).
 */
export async function changeHolds(kube: KubeClient, change: Change): Promise<boolean> {
  const { ref } = change;
  switch (change.op) {
    case 'patch': {
      if (change.patchType === 'json') return false;
      const current = await kube.getOrNull(ref.resource, ref.namespace, ref.name);
      return current !== null && mergeHolds(current, change.patch);
    }
    case 'scale': {
      const current = await kube.getOrNull<KubeObject & { spec?: { replicas?: number } }>(ref.resource, ref.namespace, ref.name);
      return current?.spec?.replicas === change.replicas;
    }
    case 'create': {
      const name = ref.name || (change.body.metadata as { name?: string } | undefined)?.name;
      return name ? (await kube.getOrNull(ref.resource, ref.namespace, name)) !== null : false;
    }
    case 'delete':
      return (await kube.getOrNull(ref.resource, ref.namespace, ref.name)) === null;
  }
}

function mergeHolds(current: unknown, patch: unknown): boolean {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return JSON.stringify(current) === JSON.stringify(patch);
  if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
  const cur = current as Record<string, unknown>;
  return Object.entries(patch as Record<string, unknown>).every(([k, v]) => (v === null ? !(k in cur) || cur[k] === null : k in cur && mergeHolds(cur[k], v)));
}
