/** Reads what the HyperShift operator publishes about itself (FACTS: "Names and places"). */
import type { KubeClient } from '../kube/client.ts';
import { Resources, type KubeObject } from '../kube/resources.ts';

export const OPERATOR_DEPLOYMENT = 'operator';
export const SUPPORTED_VERSIONS_CONFIGMAP = 'supported-versions';

export interface OperatorInfo {
  namespace: string;
  found: boolean;
  image?: string;
  /** The operator's git revision (supported-versions `server-version`). */
  serverVersion?: string;
  /** HostedCluster minor versions this operator can deploy, newest first. */
  supportedVersions?: string[];
  replicas?: { desired?: number; ready?: number };
  problems: string[];
}

interface Deployment extends KubeObject {
  spec?: { replicas?: number; template?: { spec?: { containers?: { name: string; image?: string; env?: { name: string; value?: string }[] }[] } } };
  status?: { readyReplicas?: number };
}

/** Parses the supported-versions ConfigMap data; tolerant of a missing key, strict on bad JSON. */
export function parseSupportedVersions(data: Record<string, string> | undefined): { versions?: string[]; serverVersion?: string; problem?: string } {
  if (!data) return { problem: 'configmap has no data' };
  const serverVersion = data['server-version'];
  const raw = data['supported-versions'];
  if (raw === undefined) return { serverVersion, problem: 'configmap has no supported-versions key' };
  try {
    const parsed = JSON.parse(raw) as { versions?: unknown };
    if (!Array.isArray(parsed.versions) || !parsed.versions.every((v) => typeof v === 'string')) {
      return { serverVersion, problem: 'supported-versions is not {"versions":[...]}' };
    }
    return { versions: parsed.versions as string[], serverVersion };
  } catch {
    return { serverVersion, problem: 'supported-versions is not valid JSON' };
  }
}

export async function readOperatorInfo(kube: KubeClient, namespace: string): Promise<OperatorInfo> {
  const [deployment, cm] = await Promise.all([
    kube.getOrNull<Deployment>(Resources.Deployment, namespace, OPERATOR_DEPLOYMENT),
    kube.getOrNull<KubeObject & { data?: Record<string, string> }>(Resources.ConfigMap, namespace, SUPPORTED_VERSIONS_CONFIGMAP),
  ]);
  const info: OperatorInfo = { namespace, found: deployment !== null, problems: [] };
  if (deployment) {
    const containers = deployment.spec?.template?.spec?.containers ?? [];
    info.image = (containers.find((c) => c.name === OPERATOR_DEPLOYMENT) ?? containers[0])?.image;
    info.replicas = { desired: deployment.spec?.replicas, ready: deployment.status?.readyReplicas ?? 0 };
  } else {
    info.problems.push(`deployment ${namespace}/${OPERATOR_DEPLOYMENT} not found`);
  }
  if (cm) {
    const parsed = parseSupportedVersions(cm.data);
    info.supportedVersions = parsed.versions;
    info.serverVersion = parsed.serverVersion;
    if (parsed.problem) info.problems.push(`configmap ${namespace}/${SUPPORTED_VERSIONS_CONFIGMAP}: ${parsed.problem}`);
  } else {
    info.problems.push(`configmap ${namespace}/${SUPPORTED_VERSIONS_CONFIGMAP} not found`);
  }
  return info;
}
