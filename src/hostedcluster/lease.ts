/**
 * The ownership Lease of a hosted cluster: exactly one kubectl-hcp run at a time may do a given
 * kind of work on it (issue 9, "Exactly one owner"; issue 11, "Concurrency").
 *
 * The Lease is a coordination.k8s.io/v1 Lease in the HostedCluster's namespace, named
 * `hcp-<group>-<cluster name>` (see `ownershipLeaseName`): the group says which runs exclude
 * each other. `dr` is held by every dr command and by `delete` (so a delete refuses while a
 * migration runs, and the reverse); other groups (e.g. `etcd` for snapshot/restore) are free to
 * add. Its fields are the ones client-go's leader election writes, so `kubectl get lease -o yaml`
 * reads as usual:
 *   holderIdentity        `user@host:pid run <run id>` (the run id tells two runs of one process apart)
 *   acquireTime           when this holder took it
 *   renewTime             renewed every leaseDurationSeconds/3 while the run lasts
 *   leaseDurationSeconds  default 60; a holder that has not renewed for that long is stale
 *   leaseTransitions      +1 on every change of holder
 * and the annotation `kubectl-hcp.openshift.io/operation` names the command that holds it.
 *
 * Acquire: create it, or take it over with a resourceVersion-guarded update when it is free,
 * stale (warned), or left by a run on this host whose process is gone (a killed run being
 * resumed need not wait for the lease to expire). A live holder is an InterlockError (exit 3)
 * naming the holder, its operation and since when it holds. Two runs racing for it are settled
 * by the API server: one create or one update wins, the other gets 409 and reads again.
 *
 * Release: delete the Lease, guarded by its uid, if this run still holds it. A Lease whose
 * namespace is deleted under it (dr teardown deletes the HostedCluster's namespace when it is
 * empty) is simply gone: renewal stops without failing the run.
 *
 * How to use it (the interface for the DR, delete and etcd commands):
 *   - in a plan: `plan.locks = [ownershipLease({ namespace, name, group: 'dr', operation: 'dr backup' })]`
 *     (add `cluster: 'source' | 'target'` for a lease on another management cluster, and
 *     `createNamespace: true` where the namespace may not exist yet). The one
 *     executor acquires it after the blockers, before the journal and the confirmation, renews it and releases it
 *     when the run ends; a lost lease stops the run (src/plan/executor.ts).
 *   - to refuse early in observe()/plan(): `await readLeaseHolder(kube, namespace, name, 'dr', now)`
 *     returns the live holder or null; `leaseBlocker(holder)` makes a Blocker of it.
 *   - by hand: `acquireLease(kube, spec, hooks)` returns a held lease with `release()`.
 */
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../kube/errors.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';
import type { Blocker, ClusterRole, HeldLock, RunLock, RunLockHooks } from '../plan/plan.ts';
import { InterlockError, RuntimeError } from '../util/errors.ts';

export const OPERATION_ANNOTATION = 'kubectl-hcp.openshift.io/operation';
export const DEFAULT_LEASE_SECONDS = 60;

export interface LeaseObject extends KubeObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

export interface OwnershipLeaseSpec {
  /** The HostedCluster's namespace and name. */
  namespace: string;
  name: string;
  /** Which runs exclude each other: `dr` (every dr command and delete), `etcd`, … */
  group: string;
  /** The command holding it, e.g. "dr migrate", shown to a refused second run. */
  operation: string;
  /** Which management cluster holds it, for plans acting on several (default the plan's own). */
  cluster?: ClusterRole;
  /**
   * Create the namespace when it is missing, so that the Lease can exist before the cluster does:
   * a dr restore/migrate holds it on the destination, where the restore creates the namespace.
   */
  createNamespace?: boolean;
  durationSeconds?: number;
}

/** Who holds a Lease, as read from it. */
export interface LeaseHolder {
  identity: string;
  operation?: string;
  acquireTime?: string;
  renewTime?: string;
  durationSeconds: number;
  /** Where it is, for messages: "Lease clusters/hcp-dr-sample". */
  lease: string;
}

/** This process's holder identity; the run id is fixed per process (one run per process). */
export interface HolderIdentity {
  user: string;
  host: string;
  pid: number;
  runId: string;
}

let processIdentity: HolderIdentity | undefined;
export function currentIdentity(): HolderIdentity {
  if (!processIdentity) {
    let user = 'unknown';
    try {
      user = userInfo().username;
    } catch {}
    processIdentity = { user, host: hostname(), pid: process.pid, runId: randomBytes(4).toString('hex') };
  }
  return processIdentity;
}

export const formatIdentity = (id: HolderIdentity): string => `${id.user}@${id.host}:${id.pid} run ${id.runId}`;

export function parseIdentity(text: string): HolderIdentity | undefined {
  const m = /^(.*)@([^@:]+):(\d+) run (\S+)$/.exec(text);
  return m ? { user: m[1], host: m[2], pid: Number(m[3]), runId: m[4] } : undefined;
}

/** `hcp-<group>-<name>`: a Lease name is a DNS subdomain of at most 253 characters, a HostedCluster name is far shorter. */
export function ownershipLeaseName(group: string, hcName: string): string {
  return `hcp-${group}-${hcName}`;
}

/** MicroTime, as the API server parses it (RFC3339 with exactly six fractional digits). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function holderOf(lease: LeaseObject): LeaseHolder | null {
  const identity = lease.spec?.holderIdentity;
  if (!identity) return null;
  return {
    identity,
    operation: lease.metadata.annotations?.[OPERATION_ANNOTATION],
    acquireTime: lease.spec?.acquireTime ?? undefined,
    renewTime: lease.spec?.renewTime ?? undefined,
    durationSeconds: lease.spec?.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS,
    lease: `Lease ${lease.metadata.namespace}/${lease.metadata.name}`,
  };
}

/** A holder is live until renewTime (or acquireTime) + leaseDurationSeconds has passed. */
export function isLive(holder: LeaseHolder, now: Date): boolean {
  const last = Date.parse(holder.renewTime ?? holder.acquireTime ?? '');
  if (Number.isNaN(last)) return false;
  return last + holder.durationSeconds * 1000 > now.getTime();
}

/** A holder on this host whose process no longer exists: a killed run, which its --resume may replace at once. */
export function isDeadLocalHolder(identity: string, self: HolderIdentity = currentIdentity()): boolean {
  const other = parseIdentity(identity);
  if (!other || other.host !== self.host || other.pid === self.pid) return false;
  try {
    process.kill(other.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The live holder of a hosted cluster's Lease of `group`, or null when it is free, stale or absent. */
export async function readLeaseHolder(kube: KubeClient, namespace: string, hcName: string, group: string, now: Date): Promise<LeaseHolder | null> {
  const lease = await kube.getOrNull<LeaseObject>(Resources.Lease, namespace, ownershipLeaseName(group, hcName));
  const holder = lease && holderOf(lease);
  if (!holder || !isLive(holder, now) || isDeadLocalHolder(holder.identity)) return null;
  if (holder.identity === formatIdentity(currentIdentity())) return null;
  return holder;
}

export function describeHolder(holder: LeaseHolder): string {
  return `${holder.lease} is held by ${holder.identity}${holder.operation ? ` (${holder.operation})` : ''} since ${holder.acquireTime ?? 'an unknown time'}, last renewed ${holder.renewTime ?? 'never'}`;
}

/** A plan blocker for a live holder: no flag overrides it, the holder must finish (or stop renewing). */
export function leaseBlocker(holder: LeaseHolder): Blocker {
  return { message: describeHolder(holder) };
}

export interface LeaseTimers {
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

const realTimers: LeaseTimers = {
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    t.unref(); // a lease never keeps the process alive
    return () => clearInterval(t);
  },
};

export interface HeldLease extends HeldLock {
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  /** Renews once now (the background timer does it every duration/3). */
  renew(): Promise<void>;
}

/**
 * Takes the Lease, or throws InterlockError naming its live holder. In server dry-run (a client
 * whose writes carry dryRun=All) it checks the holder and sends the writes, which persist nothing,
 * and does not renew.
 */
export async function acquireLease(
  kube: KubeClient,
  spec: OwnershipLeaseSpec,
  hooks: RunLockHooks,
  opts: { identity?: HolderIdentity; timers?: LeaseTimers } = {},
): Promise<HeldLease> {
  const self = opts.identity ?? currentIdentity();
  const identity = formatIdentity(self);
  const name = ownershipLeaseName(spec.group, spec.name);
  const where = `Lease ${spec.namespace}/${name}`;
  const duration = spec.durationSeconds ?? DEFAULT_LEASE_SECONDS;
  const dryRun = Boolean((kube as { isServerDryRun?: boolean }).isServerDryRun);
  const body = (now: Date, previous?: LeaseObject): LeaseObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(previous?.metadata ?? {}),
      name,
      namespace: spec.namespace,
      labels: { ...(previous?.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'kubectl-hcp' },
      annotations: { ...(previous?.metadata.annotations ?? {}), [OPERATION_ANNOTATION]: spec.operation },
    },
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: duration,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (previous?.spec?.leaseTransitions ?? 0) + (previous ? 1 : 0),
    },
  });

  let held: LeaseObject | undefined;
  // Set when this acquisition made the namespace: a run that then changes nothing takes it away again.
  let createdNamespace = false;
  for (let attempt = 1; !held; attempt++) {
    if (attempt > 5) throw new RuntimeError(`could not take ${where}: it kept changing under us (5 attempts)`);
    const now = hooks.now();
    const current = await kube.getOrNull<LeaseObject>(Resources.Lease, spec.namespace, name);
    if (!current) {
      try {
        held = await kube.create<LeaseObject>(Resources.Lease, spec.namespace, body(now));
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        // The namespace is gone (a resumed dr teardown deleted it): nothing of the cluster is left there to own.
        if (isNotFound(err) && !(await kube.getOrNull(Resources.Namespace, undefined, spec.namespace))) {
          if (spec.createNamespace && !dryRun) {
            const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: spec.namespace } };
            createdNamespace = await kube.create(Resources.Namespace, undefined, namespace).then(
              () => true,
              (e: unknown) => {
                if (!isAlreadyExists(e)) throw e;
                return false;
              },
            );
            continue;
          }
          hooks.warn(`namespace ${spec.namespace} does not exist: no ${where} is held`);
          return { name, namespace: spec.namespace, identity, renew: async () => {}, release: async () => {} };
        }
        throw err;
      }
      break;
    }
    const holder = holderOf(current);
    if (holder && holder.identity !== identity) {
      const deadLocal = isDeadLocalHolder(holder.identity, self);
      if (isLive(holder, now) && !deadLocal) {
        throw new InterlockError(`another run owns this hosted cluster: ${describeHolder(holder)}`, {
          hint: `wait for it to finish; a holder that stops renewing for ${holder.durationSeconds}s is taken over`,
        });
      }
      hooks.warn(
        deadLocal
          ? `taking over ${where} from ${holder.identity}: that process no longer exists on this host`
          : `taking over ${where} from ${holder.identity}: not renewed since ${holder.renewTime ?? holder.acquireTime} (lease ${holder.durationSeconds}s)`,
      );
    }
    const next = body(now, current);
    if (holder?.identity === identity) {
      next.spec!.acquireTime = current.spec?.acquireTime ?? next.spec!.acquireTime;
      next.spec!.leaseTransitions = current.spec?.leaseTransitions ?? 0;
    }
    try {
      held = await kube.replace<LeaseObject>(Resources.Lease, next);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) continue;
      throw err;
    }
  }
  if (dryRun) return { name, namespace: spec.namespace, identity, renew: async () => {}, release: async () => {} };

  let latest: LeaseObject = held;
  let stopped = false;
  let gone = false;
  const renew = async (): Promise<void> => {
    if (stopped || gone) return;
    const current = await kube.getOrNull<LeaseObject>(Resources.Lease, spec.namespace, name);
    if (stopped) return;
    if (!current) {
      // Deleted under us: by the namespace's deletion (teardown), or by hand. Nobody else holds it.
      gone = true;
      hooks.warn(`${where} was deleted while this run held it; no longer renewing it`);
      return;
    }
    if (current.spec?.holderIdentity !== identity) {
      stopped = true;
      const other = holderOf(current);
      hooks.lost(new InterlockError(`lost ${where}: ${other ? describeHolder(other) : 'it was released by someone else'}`));
      return;
    }
    current.spec = { ...current.spec, renewTime: microTime(hooks.now()) };
    try {
      latest = await kube.replace<LeaseObject>(Resources.Lease, current);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return renew();
      throw err;
    }
  };
  let failingSince: number | undefined;
  const stopTimer = (opts.timers ?? realTimers).every((duration * 1000) / 3, () => {
    renew().then(
      () => {
        failingSince = undefined;
      },
      (err: unknown) => {
        // A blip is retried at the next tick; once the lease could have expired, others may hold it.
        const now = hooks.now().getTime();
        failingSince ??= now;
        if (now - failingSince >= duration * 1000 - 1) {
          stopped = true;
          hooks.lost(new RuntimeError(`could not renew ${where} for ${duration}s: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
        } else hooks.warn(`could not renew ${where} (will retry): ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  });
  return {
    name,
    namespace: spec.namespace,
    identity,
    renew,
    release: async (outcome) => {
      stopTimer();
      if (stopped || gone) return;
      stopped = true;
      const current = await kube.getOrNull<LeaseObject>(Resources.Lease, spec.namespace, name);
      if (current?.spec?.holderIdentity !== identity) return;
      await kube.delete(Resources.Lease, spec.namespace, name, { preconditionUid: current.metadata.uid ?? latest.metadata.uid });
      // A run refused at its confirmation (or stopped before its first step) leaves no empty namespace behind.
      if (createdNamespace && outcome?.nothingChanged) await kube.delete(Resources.Namespace, undefined, spec.namespace);
    },
  };
}

/** The Lease as a plan lock: `plan.locks = [ownershipLease(spec)]`; the executor acquires, renews and releases it. */
export function ownershipLease(spec: OwnershipLeaseSpec, opts: { identity?: HolderIdentity; timers?: LeaseTimers } = {}): RunLock {
  return {
    title: `Lease ${spec.namespace}/${ownershipLeaseName(spec.group, spec.name)} (one ${spec.group} run at a time)`,
    cluster: spec.cluster,
    acquire: (kube, hooks) => acquireLease(kube, spec, hooks, opts),
  };
}
