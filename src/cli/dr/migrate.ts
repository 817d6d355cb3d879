import { Command, Option } from 'clipanion';
import type { Report } from '../mutating.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { Plan } from '../../plan/plan.ts';
import type { ExecutionResult } from '../../plan/executor.ts';
import type { MigrateInputs } from '../../dr/migrate.ts';
import type { EnvFileSettings } from '../../dr/env-file.ts';
import { assertObjectName } from '../base.ts';
import { parseGoDuration } from '../../util/duration.ts';
import { UsageError } from '../../util/errors.ts';
import { addLease, leaseKeyOf } from './common.ts';
import { backupDirOption, zoneIdOption } from './flags.ts';
import { observeBackup } from './backup.ts';
import { DrToCommand, observeRestore, observeStorageClasses, restoreReport, validateRestore, type RestoreCliInput } from './restore.ts';

interface MigrateInput extends RestoreCliInput {
  teardownTimeoutMs: number;
}

export class DrMigrateCommand extends DrToCommand<MigrateInput, MigrateInputs> {
  static override paths = [['dr', 'migrate']];
  static override usage = Command.Usage({
    category: 'dr',
    description: 'Move a hosted cluster to another management cluster: backup, restore, teardown as one journaled run (docs 8.4)',
    details: `
      \`dr backup\` on the source, \`dr restore\` on the destination and the teardown of the source (docs 8.4.5) in one run with one journal: \`--resume\` continues after any crash, from any step. The source is destroyed only after the destination is verified (Available, etcd with the final snapshot's keyspace hash, nodes back, DNS records back). The teardown scales the control-plane workloads to 0 (never the operator, which serves every other cluster), removes finalizers and deletes in the docs' order, each kind verified gone, then deletes the guest's OVN pods once and waits for them (bounded).

      On a failure: before the destination's HostedCluster exists, the source is put back (writers up, resumed, claim released; the fence stays until \`dr rollback\`); after it exists, nothing is undone and the source stays fenced, since bringing it back would make two control planes serve the cluster: find the cause, then \`--resume\`. A step that meets a transient API failure (5xx, 429, a reset connection) is run again after 1, 3 and 8 s first.

      A HighlyAvailable cluster's etcd volumes are restored before its HostedCluster exists: restored through restoreSnapshotURL, upstream's etcd-init would make each of its three members a one-member cluster of its own (it passes no \`--initial-cluster\`), so every member's PVC is made as the StatefulSet would make it and the final snapshot restored into it under the member's own name, as \`etcd restore\` does; etcd-init then finds the data and leaves it.

      One owner at a time: the dr Lease (\`hcp-dr-NAME\` in the HostedCluster's namespace) on the source **and** on the destination, held for the whole run, and the claim object in the bucket (\`If-None-Match: *\`); a second run gets exit 3 naming the holder.

      \`--vars-file FILE\` reads the variables of the docs' 8.4.6 script (MGMT_KUBECONFIG, MGMT2_KUBECONFIG, HC_CLUSTER_NS, HC_CLUSTER_NAME, HC_KUBECONFIG, BUCKET_NAME, BACKUP_DIR, AWS_CREDS, AWS_ZONE_ID, MGMT_REGION, EXTERNAL_DNS_DOMAIN…) without running it; flags win over it, and it says which variables it ignored. A variable that is none of the docs' and that no other line refers to is refused as a likely typo. (Not \`--env-file\`: Node itself takes that argument from any program it runs.)
    `,
    examples: [
      ['Migrate clusters/sample from mgmt-1 to mgmt-2', '$0 dr migrate sample --from-context mgmt-1 --to-context mgmt-2 --bucket my-dr-bucket'],
      ["With the docs' script variables", '$0 dr migrate --vars-file ./migrate.env'],
      ['Continue after a crash', '$0 dr migrate sample --from-context mgmt-1 --to-context mgmt-2 --bucket my-dr-bucket --resume -y'],
    ],
  });

  name = Option.String({ name: 'NAME', required: false });
  // Not --env-file: Node itself reads every --env-file argument of any process, the single executable
  // included (node_dotenv.cc, Dotenv::GetDataFromArgs stops only at `--`), and loads the file into the
  // environment, or exits 9 when it is missing, before this code runs (issue 11 bad-input corpus).
  envFile = Option.String('--vars-file', { description: "The docs' 8.4.6 variables file (read, never run)" });
  backupDir = backupDirOption();
  zoneId = zoneIdOption();
  teardownTimeout = Option.String('--teardown-timeout', '10m', { description: 'How long the teardown of the source may take in all' });

  private lib!: typeof import('../../dr/migrate.ts');
  private envLib!: typeof import('../../dr/env-file.ts');

  protected override async load(): Promise<void> {
    await super.load();
    [this.lib, this.envLib] = await Promise.all([import('../../dr/migrate.ts'), import('../../dr/env-file.ts')]);
  }

  protected validate(): MigrateInput {
    if (this.envFile !== undefined) this.applyEnvFile();
    if (this.name === undefined) throw new UsageError('give the HostedCluster: NAME (or HC_CLUSTER_NAME in --vars-file)');
    assertObjectName(this.name, 'HostedCluster');
    const clients = this.drClients();
    return { ...validateRestore(this, clients), teardownTimeoutMs: parseGoDuration(this.teardownTimeout, '--teardown-timeout') };
  }

  /** Flags win; the file fills what they leave unset. Reading the file is input, so it happens in validate (no API call). */
  private applyEnvFile(): void {
    let text: string;
    try {
      text = this.envLib ? readFileSyncUtf8(this.envFile!) : '';
    } catch (err) {
      throw new UsageError(`--vars-file ${this.envFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const { settings: s, ignored } = this.envLib.parseEnvFile(text, this.envFile!);
    const set = <K extends keyof this>(key: K, value: string | undefined) => {
      if (value !== undefined && value !== '' && this[key] === undefined) (this as Record<K, unknown>)[key] = value;
    };
    set('fromKubeconfig', s.MGMT_KUBECONFIG);
    set('toKubeconfig', s.MGMT2_KUBECONFIG);
    set('namespace', s.HC_CLUSTER_NS);
    set('name', s.HC_CLUSTER_NAME);
    set('guestKubeconfig', s.HC_KUBECONFIG);
    set('bucket', s.BUCKET_NAME);
    set('backupDir', s.BACKUP_DIR);
    set('zoneId', s.AWS_ZONE_ID);
    set('region', s.MGMT_REGION);
    if (s.AWS_CREDS && !this.context.env.AWS_SHARED_CREDENTIALS_FILE) this.context.env.AWS_SHARED_CREDENTIALS_FILE = s.AWS_CREDS;
    envFileSettings = s;
    if (ignored.length) this.out.note(`--vars-file: ignored ${ignored.join(', ')}`);
  }

  protected async observe(kube: KubeClient, input: MigrateInput): Promise<MigrateInputs> {
    const source = await this.sourceClient(kube);
    this.target = await this.kubeForContext(this.toContext, this.toKubeconfig);
    const backup = await observeBackup(this as never, source, input, this.name!, this.target);
    this.guest = (this as unknown as { guest?: KubeClient }).guest;
    const {
      backupDir: _b,
      releaseClaimAtEnd: _r,
      ...restore
    } = await observeRestore(this, this.target, input, this.name!, () => '', backup.hc.metadata.namespace);
    restore.preview = backup.preview;
    const { storageClassProblem } = await import('../../dr/restore.ts');
    restore.storageProblem = storageClassProblem(backup.hc, await observeStorageClasses(this.target!), restore.targetName);
    const { observeInventory } = await import('../../deletion/observe.ts');
    const inventory = await observeInventory(source, backup.hc.metadata.namespace!, this.name!);
    const { observeWorkloads } = await import('../../dr/teardown.ts');
    const { observeRetention } = await import('../../dr/pvc-retention.ts');
    const [retention, workloads] = await Promise.all([
      observeRetention(source, inventory.controlPlaneNamespace),
      observeWorkloads(source, inventory.controlPlaneNamespace),
    ]);
    const teardown = { retention, workloads, guestProblem: this.guest ? undefined : 'no guest access' };
    const domain = envFileSettings?.EXTERNAL_DNS_DOMAIN;
    if (domain && backup.hc.spec.dns?.baseDomain && !domain.endsWith(backup.hc.spec.dns.baseDomain) && !backup.hc.spec.dns.baseDomain.endsWith(domain))
      backup.externalDnsProblem ??= `EXTERNAL_DNS_DOMAIN ${domain} does not match the cluster's base domain ${backup.hc.spec.dns.baseDomain}`;
    return { backup, restore, inventory, teardown, teardownTimeoutMs: input.teardownTimeoutMs };
  }

  get flags() {
    return {
      backupDir: this.backupDir,
      zoneId: this.zoneId,
      bucket: this.bucket!,
      prefix: this.prefix,
      resume: this.resume,
      fromContext: this.fromContext,
      operation: 'dr migrate',
    };
  }

  protected override executeOptions() {
    return {
      kube: this.source,
      clusters: { source: this.source!, target: this.target!, ...(this.guest ? { guest: this.guest } : {}) },
      resume: this.resume,
    };
  }

  protected plan(_input: MigrateInput, i: MigrateInputs): Plan {
    const plan = this.lib.planDrMigrate(i);
    // One owner on both ends: the source's Lease and the destination's (plus the bucket claim).
    addLease(plan, leaseKeyOf(i.backup.hc), 'dr migrate', 'source');
    addLease(plan, leaseKeyOf(i.backup.hc), 'dr migrate', 'target');
    return plan;
  }

  protected report(result: ExecutionResult, _input: MigrateInput, i: MigrateInputs): Report {
    const r = restoreReport(result, { ...i.restore, backupDir: () => '', releaseClaimAtEnd: false });
    return {
      value: { ...r.value, source: i.backup.sourceName, backupDir: result.artifacts.backupDir, sourceTornDown: true },
      text:
        result.artifacts.availableAt === undefined
          ? `migration of ${i.backup.hc.metadata.name} from ${i.backup.sourceName} to ${i.restore.targetName}: every write sent was accepted; nothing was changed`
          : `migrated ${i.backup.hc.metadata.name} from ${i.backup.sourceName} to ${i.restore.targetName}; ${r.text.replace(/^restored \S+ on \S+: /, '')}; nothing of it is left on ${i.backup.sourceName}`,
    };
  }
}

let envFileSettings: EnvFileSettings | undefined;

function readFileSyncUtf8(path: string): string {
  // node:fs is always loaded by the CLI; a static import keeps validate() synchronous.
  return (process as unknown as { getBuiltinModule(m: string): typeof import('node:fs') }).getBuiltinModule('node:fs').readFileSync(path, 'utf8');
}
