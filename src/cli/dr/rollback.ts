import { existsSync } from 'node:fs';
import { Command, Option } from 'clipanion';
import type { Report } from '../mutating.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Plan } from '../../plan/plan.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import type { RollbackInputs } from '../../dr/rollback.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';
import { DrCommand, addLease, leaseKeyOf, type DrClients } from './common.ts';
import { toContextOption, toKubeconfigOption } from './flags.ts';

interface RollbackInput extends DrClients {
  waitMs: number;
}

export class DrRollbackCommand extends DrCommand<RollbackInput, RollbackInputs> {
  static override paths = [['dr', 'rollback']];
  static override usage = Command.Usage({
    category: 'dr',
    description: 'Make the source serve again after dr backup (etcd and the writers back, resumed)',
    details: `
      Reads \`backup.json\` of the backup: scales the etcd StatefulSet back to its recorded replicas (its PVCs were kept) and waits for every member healthy, scales kube-apiserver, openshift-apiserver, openshift-oauth-apiserver and control-plane-operator back to their recorded counts, resumes the HostedCluster and every NodePool (pausedUntil as it was), waits for Available and releases the bucket claim. The operator then recreates the Routes, and external-dns the records.

      Refused (exit 3) while the cluster exists on the destination given with \`--to-context\`: two control planes would serve it.
    `,
    examples: [
      ['Roll back a backup', '$0 dr rollback sample --bucket my-dr-bucket --backup-dir ~/.local/state/kubectl-hcp/dr/clusters-sample-… --to-context mgmt-2'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  backupDir = Option.String('--backup-dir', { description: 'The directory dr backup wrote', required: true });
  toContext = toContextOption();
  toKubeconfig = toKubeconfigOption();

  protected validate(): RollbackInput {
    assertObjectName(this.name, 'HostedCluster');
    // A --backup-dir that is not there is bad input (exit 2, issue 11).
    if (!existsSync(this.backupDir)) throw new UsageError(`--backup-dir ${this.backupDir} does not exist`);
    return { ...this.drClients(), waitMs: parseGoDuration(this.waitTimeout, '--wait-timeout') };
  }

  protected async observe(kube: KubeClient, input: RollbackInput): Promise<RollbackInputs> {
    const source = await this.sourceClient(kube);
    const { readBackupRecord } = await import('../../dr/backup.ts');
    const { Resources } = await import('../../kube/resources.ts');
    const record = readBackupRecord(this.backupDir);
    const hc = await this.getHostedCluster(source, this.name);
    const pools = (await source.list(Resources.NodePool, { namespace: hc.metadata.namespace })).items.filter(
      (np) => (np as { spec?: { clusterName?: string } }).spec?.clusterName === this.name,
    );
    let onDestination: string | undefined;
    if (this.toContext !== undefined || this.toKubeconfig !== undefined) {
      this.target = await this.kubeForContext(this.toContext, this.toKubeconfig);
      if (await this.target.getOrNull(Resources.HostedCluster, hc.metadata.namespace, this.name)) onDestination = this.toContext ?? this.target.server;
    }
    return { hc, nodePools: pools as never, record, onDestination, s3: input.s3, waitMs: input.waitMs };
  }

  protected override executeOptions() {
    return { kube: this.source, clusters: { source: this.source! }, resume: this.resume };
  }

  protected plan(_input: RollbackInput, i: RollbackInputs): Plan {
    const plan = (this.lib ??= rollbackLib!).planDrRollback(i);
    addLease(plan, leaseKeyOf(i.hc), 'dr rollback', 'source');
    return plan;
  }

  private lib?: typeof import('../../dr/rollback.ts');
  protected override async load(): Promise<void> {
    await super.load();
    rollbackLib = await import('../../dr/rollback.ts');
  }

  protected report(_result: ExecutionResult, _input: RollbackInput, i: RollbackInputs): Report {
    return {
      value: { hostedCluster: `${i.hc.metadata.namespace}/${i.hc.metadata.name}`, rolledBack: true },
      text: `rolled back ${i.hc.metadata.name}: etcd and the writers are back and it is Available on the source again`,
    };
  }
}

let rollbackLib: typeof import('../../dr/rollback.ts') | undefined;
