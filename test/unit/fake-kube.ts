/** An in-memory stand-in for KubeClient, for planner and executor tests (no cluster). */
import type { KubeClient, PatchType } from '../../src/kube/client.ts';
import { ApiError } from '../../src/kube/errors.ts';
import type { KubeObject, ResourceType } from '../../src/kube/resources.ts';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export interface FakeCall {
  verb: string;
  key: string;
  dryRun: boolean;
  body?: unknown;
}

export class FakeKube {
  readonly server = 'https://fake.example:6443';
  objects = new Map<string, KubeObject>();
  calls: FakeCall[] = [];
  /** Throw this error on the next write whose key matches. */
  failOn?: { verb: string; key: string; error: Error };
  private dryRun = false;

  static key(rt: ResourceType, ns: string | undefined, name: string): string {
    return `${rt.plural}/${ns ?? ''}/${name}`;
  }

  put(rt: ResourceType, obj: KubeObject): this {
    this.objects.set(FakeKube.key(rt, obj.metadata.namespace, obj.metadata.name), structuredClone(obj));
    return this;
  }

  withServerDryRun(): KubeClient {
    const view = Object.create(this) as FakeKube;
    view.dryRun = true;
    return view as unknown as KubeClient;
  }

  asClient(): KubeClient {
    return this as unknown as KubeClient;
  }

  private write(verb: string, key: string, body?: unknown): void {
    this.calls.push({ verb, key, dryRun: this.dryRun, body });
    if (this.failOn && this.failOn.verb === verb && this.failOn.key === key) throw this.failOn.error;
  }

  async get<T extends KubeObject>(rt: ResourceType, ns: string | undefined, name: string): Promise<T> {
    const obj = this.objects.get(FakeKube.key(rt, ns, name));
    if (!obj) throw new ApiError(404, { message: `${rt.plural} "${name}" not found`, reason: 'NotFound', code: 404 }, 'not found');
    return structuredClone(obj) as T;
  }

  async getOrNull<T extends KubeObject>(rt: ResourceType, ns: string | undefined, name: string): Promise<T | null> {
    return this.get<T>(rt, ns, name).catch(() => null);
  }

  async patch(rt: ResourceType, ns: string | undefined, name: string, patch: unknown, type: PatchType): Promise<KubeObject> {
    const key = FakeKube.key(rt, ns, name);
    this.write(`patch:${type}`, key, patch);
    const current = await this.get(rt, ns, name);
    const next = mergePatch(current, patch) as KubeObject;
    if (!this.dryRun) this.objects.set(key, next);
    return next;
  }

  async create(rt: ResourceType, ns: string | undefined, body: KubeObject): Promise<KubeObject> {
    const key = FakeKube.key(rt, ns, body.metadata.name);
    this.write('create', key, body);
    if (this.objects.has(key)) throw new ApiError(409, { reason: 'AlreadyExists', message: `"${body.metadata.name}" already exists` }, 'exists');
    if (!this.dryRun) this.objects.set(key, structuredClone({ ...body, metadata: { ...body.metadata, namespace: ns } }));
    return body;
  }

  async delete(rt: ResourceType, ns: string | undefined, name: string): Promise<boolean> {
    const key = FakeKube.key(rt, ns, name);
    this.write('delete', key);
    const had = this.objects.has(key);
    if (!this.dryRun) this.objects.delete(key);
    return had;
  }

  async scale(rt: ResourceType, ns: string, name: string, replicas: number): Promise<void> {
    await this.patch(rt, ns, name, { spec: { replicas } }, 'merge');
    this.calls[this.calls.length - 1].verb = 'scale';
  }

  writes(): FakeCall[] {
    return this.calls;
  }
}
