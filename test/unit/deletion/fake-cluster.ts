/**
 * FakeKube plus what the lease and deletion code needs: resourceVersion-guarded replace (409 on a
 * stale one, as the API server answers), list by namespace/label, finalizers that hold a deleted
 * object (deletionTimestamp set, gone once its finalizers are removed), and isServerDryRun.
 */
import { ApiError } from '../../../src/kube/errors.ts';
import type { KubeClient, PatchType } from '../../../src/kube/client.ts';
import type { KubeObject, ResourceType } from '../../../src/kube/resources.ts';
import { FakeKube } from '../fake-kube.ts';

export class FakeCluster extends FakeKube {
  private version = 1;

  get isServerDryRun(): boolean {
    return (this as unknown as { dryRun: boolean }).dryRun;
  }

  override put(rt: ResourceType, obj: KubeObject): this {
    return super.put(rt, { ...obj, metadata: { uid: `uid-${obj.metadata.name}`, resourceVersion: String(this.version++), ...obj.metadata } });
  }

  private store(key: string, obj: KubeObject): KubeObject {
    const next = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.version++) } };
    if (next.metadata.deletionTimestamp && !(next.metadata as { finalizers?: string[] }).finalizers?.length) this.objects.delete(key);
    else this.objects.set(key, next);
    return next;
  }

  override async create(rt: ResourceType, ns: string | undefined, body: KubeObject): Promise<KubeObject> {
    const created = await super.create(rt, ns, body);
    const key = FakeKube.key(rt, ns, body.metadata.name);
    const stored = this.objects.get(key);
    if (!stored) return created;
    return this.store(key, { ...stored, metadata: { uid: `uid-${body.metadata.name}-${this.version}`, ...stored.metadata } });
  }

  async replace(rt: ResourceType, obj: KubeObject): Promise<KubeObject> {
    const key = FakeKube.key(rt, obj.metadata.namespace, obj.metadata.name);
    this.calls.push({ verb: 'replace', key, dryRun: this.isServerDryRun, body: obj });
    if (this.failOn && this.failOn.verb === 'replace' && this.failOn.key === key) throw this.failOn.error;
    const current = this.objects.get(key);
    if (!current) throw new ApiError(404, { reason: 'NotFound', message: `"${obj.metadata.name}" not found` }, 'not found');
    if (obj.metadata.resourceVersion !== current.metadata.resourceVersion)
      throw new ApiError(409, { reason: 'Conflict', message: 'the object has been modified' }, 'conflict');
    if (this.isServerDryRun) return obj;
    return structuredClone(this.store(key, obj));
  }

  override async patch(rt: ResourceType, ns: string | undefined, name: string, patch: unknown, type: PatchType): Promise<KubeObject> {
    if (type === 'json') {
      const key = FakeKube.key(rt, ns, name);
      this.calls.push({ verb: 'patch:json', key, dryRun: this.isServerDryRun, body: patch });
      const current = await this.get(rt, ns, name);
      for (const op of patch as { op: string; path: string; value?: unknown }[]) {
        if (op.path !== '/metadata/finalizers') throw new Error(`fake: json patch of ${op.path} not supported`);
        if (op.op === 'remove') delete current.metadata.finalizers;
        else current.metadata.finalizers = op.value;
      }
      return this.isServerDryRun ? current : this.store(key, current);
    }
    const next = await super.patch(rt, ns, name, patch, type);
    const key = FakeKube.key(rt, ns, name);
    return this.isServerDryRun || !this.objects.has(key) ? next : this.store(key, next);
  }

  override async delete(rt: ResourceType, ns: string | undefined, name: string): Promise<boolean> {
    const key = FakeKube.key(rt, ns, name);
    this.calls.push({ verb: 'delete', key, dryRun: this.isServerDryRun });
    if (this.failOn && this.failOn.verb === 'delete' && this.failOn.key === key) throw this.failOn.error;
    const current = this.objects.get(key);
    if (!current) return false;
    if (this.isServerDryRun) return true;
    if ((current.metadata.finalizers as string[] | undefined)?.length) {
      this.store(key, { ...current, metadata: { ...current.metadata, deletionTimestamp: current.metadata.deletionTimestamp ?? '2026-01-01T00:00:00Z' } });
    } else this.objects.delete(key);
    return true;
  }

  async list(rt: ResourceType, opts: { namespace?: string; labelSelector?: string } = {}): Promise<{ items: KubeObject[]; metadata: object }> {
    const prefix = `${rt.plural}/`;
    const items = [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (opts.namespace === undefined || o.metadata.namespace === opts.namespace))
      .filter(([, o]) => matches(o, opts.labelSelector))
      .map(([, o]) => structuredClone(o));
    return { items, metadata: {} };
  }

  async listIfServed(rt: ResourceType, opts: { namespace?: string; labelSelector?: string } = {}) {
    return this.list(rt, opts);
  }

  override asClient(): KubeClient {
    return this as unknown as KubeClient;
  }
}

function matches(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return obj.metadata.labels?.[k] === v;
  });
}
