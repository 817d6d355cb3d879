/** Performs the declarative changes of a plan (see Change in plan.ts). */
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import { describeRef } from '../kube/resources.ts';
import type { Change } from './plan.ts';

/** Performs one declarative change. Creating what exists with ifExists=skip is success. */
export async function applyChange(kube: KubeClient, change: Change): Promise<void> {
  const { ref } = change;
  switch (change.op) {
    case 'patch':
      await kube.patch(ref.resource, ref.namespace, ref.name, change.patch, change.patchType, { subresource: change.subresource });
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
