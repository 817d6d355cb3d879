/**
 * The PVC retention interlock (docs 8.4.5 IMPORTANT box; issue 9): a StatefulSet whose
 * `spec.persistentVolumeClaimRetentionPolicy.whenScaled` is Delete loses its PVCs (the etcd data)
 * when it is scaled to 0, so before any scale-down it is patched to Retain, shown in the plan and
 * confirmed as a destructive step. `whenDeleted` matters when the StatefulSet itself may be
 * deleted while its data must stay (pass it in `policies`).
 *
 * The box also says no controller may put Delete back. control-plane-operator reconciles the etcd
 * StatefulSet (upstream control-plane-operator/controllers/hostedcontrolplane/etcd): it must be
 * scaled to 0 (dr backup does it before the fence; dr teardown scales it first), and each step
 * re-reads the StatefulSet after the patch and refuses to go on if Delete came back.
 *
 * Interface (for dr backup before the fence, and dr teardown before its scale-down):
 *   const sets = await observeRetention(kube, controlPlaneNamespace)   // observe(): one list call
 *   const steps = planPvcRetention(sets, { policies: ['whenScaled'] }) // plan(): pure, 0..n steps
 *   plan.steps.push(...steps)                                          // before the scale-down
 *   retentionWarnings(sets) lists what is already Retain, for the plan's text if wanted.
 * Step ids are `pvc-retention-<statefulset>`; each is idempotent (isDone: already Retain) and
 * verified (read back).
 */
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';
import type { Step } from '../plan/plan.ts';
import { RuntimeError } from '../util/errors.ts';

export type RetentionPolicyField = 'whenScaled' | 'whenDeleted';

export interface RetentionObservation {
  namespace: string;
  name: string;
  whenScaled: string;
  whenDeleted: string;
}

interface StatefulSetWithRetention extends KubeObject {
  spec?: { persistentVolumeClaimRetentionPolicy?: { whenScaled?: string; whenDeleted?: string } };
}

/** Kubernetes defaults both fields to Retain (apps/v1 StatefulSetPersistentVolumeClaimRetentionPolicy). */
function policyOf(sts: StatefulSetWithRetention): { whenScaled: string; whenDeleted: string } {
  const p = sts.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenScaled: p?.whenScaled ?? 'Retain', whenDeleted: p?.whenDeleted ?? 'Retain' };
}

/** Every StatefulSet of the namespace with its retention policy (one list call). */
export async function observeRetention(kube: KubeClient, namespace: string): Promise<RetentionObservation[]> {
  const list = await kube.list<StatefulSetWithRetention>(Resources.StatefulSet, { namespace });
  return list.items.map((sts) => ({ namespace, name: sts.metadata.name, ...policyOf(sts) }));
}

/** Pure: one destructive, verified step per StatefulSet with a Delete policy among `policies`; none when all retain. */
export function planPvcRetention(observed: RetentionObservation[], opts: { policies?: RetentionPolicyField[] } = {}): Step[] {
  const policies = opts.policies ?? ['whenScaled'];
  return observed.flatMap((sts) => {
    const deleting = policies.filter((p) => sts[p] === 'Delete');
    if (!deleting.length) return [];
    const retain = Object.fromEntries(deleting.map((p) => [p, 'Retain']));
    const what = deleting.map((p) => `${p} from Delete to Retain`).join(' and ');
    const read = async (kube: KubeClient) => policyOf(await kube.get<StatefulSetWithRetention>(Resources.StatefulSet, sts.namespace, sts.name));
    return [
      {
        id: `pvc-retention-${sts.name}`,
        title: `Set persistentVolumeClaimRetentionPolicy ${what} on StatefulSet ${sts.namespace}/${sts.name} (its PVCs would be deleted)`,
        destructive: true,
        details: ['docs 8.4.5: scaling a StatefulSet whose whenScaled is Delete deletes its PVCs, and with them the data'],
        changes: [
          {
            op: 'patch',
            ref: { resource: Resources.StatefulSet, namespace: sts.namespace, name: sts.name },
            patchType: 'merge',
            patch: { spec: { persistentVolumeClaimRetentionPolicy: retain } },
          },
        ],
        isDone: async (ctx) => {
          const now = await read(ctx.kube);
          return deleting.every((p) => now[p] === 'Retain');
        },
        verify: async (ctx) => {
          const now = await read(ctx.kube);
          const back = deleting.filter((p) => now[p] === 'Delete');
          if (back.length)
            throw new RuntimeError(
              `StatefulSet ${sts.namespace}/${sts.name} is back to ${back.join(', ')}: Delete (a controller reconciles it): refusing to scale it down`,
              { state: 'nothing was scaled down', hint: 'stop the controller that owns it (control-plane-operator) and run again' },
            );
        },
      },
    ];
  });
}
