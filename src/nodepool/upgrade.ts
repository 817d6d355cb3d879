/**
 * Control-plane updates (spec 6.1): `spec.release` of the HostedCluster, followed through
 * `status.version.history` until the new version is Completed.
 */
import { describeRef } from '../kube/resources.ts';
import { waitFor } from '../kube/wait.ts';
import { newPlan, type Plan } from '../plan/plan.ts';
import { hcRef } from '../hostedcluster/lookup.ts';
import { condition, type HostedCluster } from '../hostedcluster/types.ts';
import { RuntimeError } from '../util/errors.ts';
import { archChangeProblem, compareVersions, minorOf, resolveReleaseVersion } from './release.ts';
import { hostedClusterVersion } from './nodepool.ts';

const NO_UPGRADE_SETS = new Set(['TechPreviewNoUpgrade', 'DevPreviewNoUpgrade', 'CustomNoUpgrade']);

export interface UpgradeInputs {
  hc: HostedCluster;
  image: string;
  /** Minor versions the operator supports (supported-versions configmap), newest first. */
  supportedVersions?: string[];
  /** --force: allow a downgrade, an unsupported arch change or a release whose version cannot be read. */
  force: boolean;
  waitMs?: number;
  /** What the image's registry metadata says (release-metadata.ts), when neither tag nor history does. */
  metadata?: { version?: string; problem?: string };
}

export function planUpgrade({ hc, image, supportedVersions, force, waitMs, metadata }: UpgradeInputs): Plan {
  const ref = hcRef(hc);
  const plan = newPlan('upgrade', describeRef(ref));
  const current = hostedClusterVersion(hc);
  const resolved = resolveReleaseVersion(image, hc, metadata?.version);
  const target = resolved?.version;
  const featureSet = (hc.spec.configuration as { featureGate?: { featureSet?: string } } | undefined)?.featureGate?.featureSet;
  if (resolved && resolved.source !== 'tag')
    plan.warnings.push(
      resolved.source === 'metadata'
        ? `${image} declares version ${resolved.version.text} (its io.openshift.release label)`
        : `${image} is ${resolved.version.text}, as the cluster's status.version ${resolved.source === 'history' ? 'history' : 'desired'} records it`,
    );
  if (target && current) {
    const cmp = compareVersions(target, current);
    if (cmp < 0 && !force)
      plan.blockers.push({ message: `${target.text} is older than the current ${current.text}: downgrades are not supported`, override: '--force' });
    const archProblem = archChangeProblem(current, target);
    if (archProblem && !force) plan.blockers.push({ message: archProblem, override: '--force' });
    if (current.arch && current.arch !== 'multi' && target.arch === 'multi') {
      plan.warnings.push(
        `${current.text}-${current.arch} => ${target.text}-multi migrates ${hc.metadata.name} to the multi-arch payload; NodePools of other architectures can follow once it completes`,
      );
    }
    if (featureSet && NO_UPGRADE_SETS.has(featureSet) && minorOf(target) !== minorOf(current)) {
      plan.blockers.push({
        message: `the cluster runs feature set ${featureSet}, which blocks minor version updates (${current.text} => ${target.text}) and cannot be undone`,
      });
    }
  } else {
    // Without both versions none of the checks can be made: writing an image blind is an
    // interlock, not a warning (issue 13 item 22).
    const unknown = !target ? `the release version of ${image}` : `the version of the current release ${hc.spec.release?.image ?? '<unset>'}`;
    const skipped = `the downgrade, architecture, *NoUpgrade minor-update${target ? '' : ' and supported-versions'} checks`;
    const where = `neither its tag nor the cluster's status.version history names it${!target && metadata?.problem ? `, and its metadata: ${metadata.problem}` : ''}`;
    if (force) plan.warnings.push(`--force: ${unknown} cannot be read (${where}); ${skipped} are skipped`);
    else plan.blockers.push({ message: `cannot read ${unknown}: ${where}, so ${skipped} cannot be made`, override: '--force (skips those checks)' });
  }
  if (target && supportedVersions?.length && !supportedVersions.includes(minorOf(target))) {
    plan.warnings.push(`the operator lists supported versions ${supportedVersions.join(', ')}; ${minorOf(target)} is not among them`);
  }
  const history = hc.status?.version?.history?.[0];
  const sameEntry = (a: typeof history, b: typeof history) => Boolean(a && b && a.image === b.image && a.startedTime === b.startedTime);
  if (history && history.state !== 'Completed') plan.warnings.push(`an update to ${history.version ?? history.image} is still ${history.state}`);
  plan.steps.push({
    id: 'set-release',
    title: `Set the control-plane release of ${describeRef(ref)}: ${hc.spec.release?.image ?? '<unset>'} => ${image}`,
    changes: [{ op: 'patch', ref, patchType: 'merge', patch: { spec: { release: { image } } } }],
    isDone: async () => hc.spec.release?.image === image,
  });
  if (waitMs !== undefined) {
    plan.steps.push({
      id: 'wait-version',
      title: `Follow status.version.history of ${describeRef(ref)} until ${target?.text ?? image} is Completed`,
      details: [`polls for up to ${Math.round(waitMs / 1000)}s`],
      run: async (ctx) => {
        const r = await waitFor(
          `${target?.text ?? image} to be Completed`,
          async () => {
            const fresh = await ctx.kube.get<HostedCluster>(ref.resource, ref.namespace, ref.name);
            const invalid = condition(fresh, 'ValidReleaseImage');
            if (invalid?.status === 'False')
              throw new RuntimeError(`${describeRef(ref)} reports ValidReleaseImage=False: ${invalid.message ?? invalid.reason ?? ''}`);
            const top = fresh.status?.version?.history?.[0];
            // The image as written, or (the operator may record it by digest) a new entry with the
            // target version. The version alone is not enough: x86_64 => multi keeps 4.15.10.
            const matches = top && (top.image === image || (target && top.version === target.text && !sameEntry(top, history)));
            return {
              done: Boolean(matches && top.state === 'Completed'),
              message: top ? `history[0] ${top.version ?? top.image} ${top.state}` : 'no version history',
              value: top,
            };
          },
          { timeoutMs: waitMs, intervalMs: 1000, onProgress: ctx.progress },
        );
        if (r.timedOut)
          throw new RuntimeError(`the control plane did not complete ${target?.text ?? image} in time (${r.message})`, {
            state: 'the new release is set; the update continues',
          });
        return { version: r.value?.version };
      },
    });
  }
  return plan;
}
