/** Performs the declarative changes of a plan (see Change in plan.ts). */
import type { KubeClient } from '../kube/client.ts';
import { ApiError, isAlreadyExists } from '../kube/errors.ts';
import { RuntimeError } from '../util/errors.ts';
import { describeRef } from '../kube/resources.ts';
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
