import { Resources, describeRef, type KubeObject, type ObjectRef } from '../kube/resources.ts';
import { newPlan, type Plan } from '../plan/plan.ts';

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/**
 * A one-step plan that stores `text` under one key of a ConfigMap: a create when the ConfigMap is
 * absent, else a merge patch of that key only (other keys stay). Skipped when the key already holds it.
 */
export function planConfigMapKey(operation: string, ref: { namespace: string; name: string }, key: string, existing: ConfigMap | null, text: string): Plan {
  const target: ObjectRef = { resource: Resources.ConfigMap, namespace: ref.namespace, name: ref.name };
  return newPlan(operation, describeRef(target), {
    steps: [
      {
        id: `write-${key}`,
        title: existing ? `Update key ${key} of ${describeRef(target)}` : `Create ${describeRef(target)} with key ${key}`,
        changes: existing
          ? [{ op: 'patch', ref: target, patchType: 'merge', patch: { data: { [key]: text } } }]
          : [{ op: 'create', ref: target, body: { metadata: { name: ref.name, namespace: ref.namespace }, data: { [key]: text } } }],
        isDone: async ({ kube }) => (await kube.getOrNull<ConfigMap>(target.resource, ref.namespace, ref.name))?.data?.[key] === text,
      },
    ],
  });
}
