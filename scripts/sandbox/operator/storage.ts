// The sandbox's volume provisioner (no upstream counterpart in HyperShift: it stands in for the
// management cluster's CSI driver, which the etcd StatefulSet's volumeClaimTemplate relies on).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAlreadyExists } from '../../../src/kube/errors.ts';
import { type Ctx, FIELD_MANAGER, type Obj, PV } from './shared.ts';

export class Storage {
  private readonly ctx: Ctx;
  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  /** A minimal local-volume provisioner: every pending PVC gets a PV backed by a directory under .sandbox/. */
  async provisionVolumes(pvcs: Obj[], pvs: Obj[]): Promise<void> {
    const claimed = new Set(pvs.map((pv) => pv.spec?.claimRef?.uid));
    for (const pvc of pvcs) {
      if (pvc.spec?.volumeName || pvc.metadata.deletionTimestamp || claimed.has(pvc.metadata.uid)) continue;
      const name = `pvc-${pvc.metadata.uid}`;
      const dir = join(this.ctx.dir, 'volumes', name);
      mkdirSync(dir, { recursive: true });
      try {
        await this.ctx.kube.create(
          PV,
          undefined,
          {
            metadata: { name, labels: { 'hcp-sandbox/provisioned': 'true' } },
            spec: {
              capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
              accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
              persistentVolumeReclaimPolicy: 'Retain',
              storageClassName: pvc.spec?.storageClassName ?? '',
              volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
              hostPath: { path: dir, type: 'Directory' },
              claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
            },
          },
          { fieldManager: FIELD_MANAGER },
        );
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    const live = new Set(pvcs.map((p) => p.metadata.uid));
    for (const pv of pvs) {
      if (pv.metadata.labels?.['hcp-sandbox/provisioned'] !== 'true' || live.has(pv.spec?.claimRef?.uid)) continue;
      // The claim is gone: reclaim (delete) the volume and its data, like a Delete reclaim policy.
      await this.ctx.del(PV, undefined, pv.metadata.name);
      rmSync(join(this.ctx.dir, 'volumes', pv.metadata.name), { recursive: true, force: true });
    }
  }

  /** host directory of a PVC (undefined until bound to one of our PVs). */
  volumeDir(pvc: Obj | undefined, pvs: Obj[]): string | undefined {
    if (!pvc?.spec?.volumeName || pvc.status?.phase !== 'Bound') return undefined;
    const pv = pvs.find((v) => v.metadata.name === pvc.spec.volumeName);
    return pv?.spec?.hostPath?.path;
  }
}
