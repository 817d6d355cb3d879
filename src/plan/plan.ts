/**
 * A Plan is what a command intends to do, computed without side effects from its inputs and the
 * observed state. The executor renders it for --dry-run, asks before destructive steps, runs it,
 * journals it and undoes it on failure: no command re-implements any of that.
 */
import type { KubeClient } from '../kube/client.ts';
import type { PatchType } from '../kube/patch.ts';
import type { ObjectRef } from '../kube/resources.ts';
import type { S3ClientLike } from '../aws/s3.ts';
import type { Clock } from '../util/clock.ts';

export type DryRunMode = 'none' | 'client' | 'server';
export const DRY_RUN_MODES: readonly DryRunMode[] = ['none', 'client', 'server'];

/** One API write. Plans state them as data so that dry-run shows exactly what execution sends. */
export type Change =
  | { op: 'patch'; ref: ObjectRef; patchType: PatchType; patch: unknown; subresource?: string }
  | { op: 'create'; ref: ObjectRef; body: Record<string, unknown>; ifExists?: 'skip' | 'fail' }
  | { op: 'delete'; ref: ObjectRef; propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' }
  | { op: 'scale'; ref: ObjectRef; replicas: number };

/**
 * The clusters a plan may act on besides the management cluster it was planned against: the
 * source and target management clusters of a DR migration, and the hosted cluster's own API
 * (guest). Each client handed to a step already carries dryRun=All in --dry-run=server.
 */
export type ClusterRole = 'source' | 'target' | 'guest';

/** Counters of a byte stream in progress (snapshot upload or download). */
export interface TransferProgress {
  bytes: number;
  /** Expected size, when known. */
  total?: number;
  bytesPerSecond: number;
}

export interface StepContext {
  /** The management-cluster client; in --dry-run=server every write carries dryRun=All. */
  kube: KubeClient;
  /** Named clusters (see ClusterRole); a role the command did not connect is absent. */
  clusters: Partial<Record<ClusterRole, KubeClient>>;
  /** The S3 client of this run, created on first use (the AWS SDK is loaded only then). */
  s3: () => Promise<S3ClientLike>;
  dryRun: Exclude<DryRunMode, 'client'>;
  /** Artifacts recorded by earlier steps, in this run or a journaled earlier one. */
  artifacts: Record<string, unknown>;
  /**
   * Replaces the step's progress text (shown on the step line on a TTY). A byte transfer also
   * passes its counters: a TTY then draws a bar with rate and ETA, -o json carries them.
   */
  progress: (message: string, transfer?: TransferProgress) => void;
  /** A warning to show the user without failing the step. */
  warn: (message: string) => void;
  now: () => Date;
  /** The run's monotonic clock; its sleep rejects when the run is interrupted. Waits use it (waitInStep). */
  clock: Clock;
}

export interface Step {
  /** Stable identifier, used by the journal. */
  id: string;
  title: string;
  /** Asks for confirmation before the plan runs (unless -y). */
  destructive?: boolean;
  /** Declarative writes, performed in order by the executor. */
  changes?: Change[];
  /** Human description of procedural work, shown in dry-run (exec commands, uploads, waits). */
  details?: string[];
  /** Procedural work, after `changes`. May return artifacts to journal (no secret values). */
  run?: (ctx: StepContext) => Promise<Record<string, unknown> | void>;
  /** True when the goal of the step already holds: the step is skipped ("already paused"). */
  isDone?: (ctx: StepContext) => Promise<boolean>;
  /** Checks that the step took effect; throws otherwise. Not run in --dry-run=server. */
  verify?: (ctx: StepContext) => Promise<void>;
  /** Whether `run` and `verify` are skipped in --dry-run=server (e.g. waits that cannot finish). */
  serverDryRun?: 'run' | 'skip';
  /**
   * Once this step has run, a later failure undoes nothing that came before it (the reason says
   * why): e.g. dr restore's HostedCluster creation, after which bringing the source back would
   * make two control planes serve one cluster. The failure then stops with the state kept and
   * --resume to go on.
   */
  noUndoPast?: string;
  /** How to put things back if a later step fails (resume what was paused, scale back up). */
  undo?: { title: string; changes?: Change[]; run?: (ctx: StepContext) => Promise<void> };
}

export interface Blocker {
  message: string;
  /** The flag that lifts this blocker, if the user may choose to. */
  override?: string;
}

export interface Plan {
  /** The command, e.g. "pause". Names the journal. */
  operation: string;
  /** What it acts on, e.g. "HostedCluster clusters/sample". */
  target: string;
  steps: Step[];
  warnings: string[];
  blockers: Blocker[];
  /** Observed state a resumed run must reuse (original replica counts, …). Never secrets. */
  memo?: Record<string, unknown>;
  /**
   * Journal this plan so that --resume can continue it (the command must then offer --resume,
   * see `resumeOption`). Plans that converge by simply running again leave it off.
   */
  journal?: boolean;
  /**
   * What the run holds from before its first step until it ends (ownership Leases, see
   * src/hostedcluster/lease.ts): acquired in order before the journal and the confirmation, released when the run
   * finishes, fails or is interrupted; losing one stops the run.
   */
  locks?: RunLock[];
}

/** A lock a plan's run holds; the executor takes it before the first step and releases it after the last. */
export interface RunLock {
  /** Shown in the dry-run plan, e.g. "Lease clusters/hcp-dr-sample". */
  title: string;
  /** The cluster it is held on; default the management cluster the plan was made against. */
  cluster?: ClusterRole;
  /** Takes the lock (an InterlockError when someone else holds it) and keeps it until release(). */
  acquire(kube: KubeClient, hooks: RunLockHooks): Promise<HeldLock>;
}

export interface RunLockHooks {
  warn: (message: string) => void;
  /** Called when the lock is lost while the run holds it (someone took it over): the run stops. */
  lost: (error: Error) => void;
  now: () => Date;
}

export interface HeldLock {
  /** nothingChanged: the run ran no step (refused at its confirmation, stopped before the first). */
  release(outcome?: { nothingChanged?: boolean }): Promise<void>;
}

/** A plan with nothing in it yet: every planner starts here. */
export function newPlan(operation: string, target: string, extra: Partial<Plan> = {}): Plan {
  return { operation, target, steps: [], warnings: [], blockers: [], journal: false, ...extra };
}
