// kube-apiserver audit logging for the sandbox (issue 11): every request is logged at Metadata level
// (verb, user, user agent, object reference, response code; no bodies, so no Secret values) to
// .sandbox/audit/<cluster>.log, one JSON event per line. The bad-input corpus asserts "zero
// mutating requests" from it and the fault-injection tests "no write applied twice";
// test/e2e/helpers/audit.ts reads it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from './config.ts';

export const auditDir = join(paths.dir, 'audit');
export const auditPolicyFile = join(auditDir, 'policy.yaml');
export const auditLogFile = (cluster: string) => join(auditDir, `${cluster}.log`);

// RequestReceived is omitted: each request then appears once, at ResponseComplete (or Panic), with
// its response code. Long-running requests (watches) also log ResponseStarted.
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;

/**
 * The kube-apiserver flags that turn audit logging on. Rotation bounds the disk use: kwok's node
 * heartbeats alone write a few MB an hour, so each cluster keeps at most 50 MB + 2 × 50 MB backups
 * (renamed <cluster>-<timestamp>.log by the apiserver's lumberjack).
 */
export function auditArgs(cluster: string): string[] {
  mkdirSync(auditDir, { recursive: true });
  writeFileSync(auditPolicyFile, POLICY);
  return [
    `--audit-policy-file=${auditPolicyFile}`,
    `--audit-log-path=${auditLogFile(cluster)}`,
    '--audit-log-format=json',
    '--audit-log-maxsize=50',
    '--audit-log-maxbackup=2',
    '--audit-log-maxage=1',
    // Blocking (the log backend's default, made explicit): each event is written as its request
    // ends; batching would hold events back for up to a batch's wait.
    '--audit-log-mode=blocking',
  ];
}
