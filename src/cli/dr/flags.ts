/**
 * The flags every dr command shares (issue 9 "Common to every dr command"): the source and
 * destination management clusters, the guest's kubeconfig, the bucket and its S3 options, the
 * backup dir and the DNS wait. Declared once; each command takes the ones it needs.
 */
import { Option } from 'clipanion';

export const fromContextOption = () =>
  Option.String('--from-context', { description: 'kubeconfig context of the source management cluster (default: the current context)' });
export const fromKubeconfigOption = () =>
  Option.String('--from-kubeconfig', { description: 'kubeconfig file of the source management cluster (default: --kubeconfig, $KUBECONFIG)' });
export const toContextOption = () => Option.String('--to-context', { description: 'kubeconfig context of the destination management cluster' });
export const toKubeconfigOption = () =>
  Option.String('--to-kubeconfig', { description: 'kubeconfig file of the destination management cluster (default: --kubeconfig, $KUBECONFIG)' });
export const guestKubeconfigOption = () =>
  Option.String('--guest-kubeconfig', { description: "The hosted cluster's kubeconfig (default: its admin-kubeconfig secret)" });
export const bucketOption = () => Option.String('--bucket', { description: 'S3 bucket for the etcd snapshots and the ownership claim (required)' });
export const prefixOption = () => Option.String('--prefix', 'dr', { description: 'Key prefix in the bucket (default dr)' });
export const backupDirOption = () =>
  Option.String('--backup-dir', { description: 'Directory of the object backup (0700, files 0600; default under the state dir)' });
export const dnsTimeoutOption = () =>
  Option.String('--dns-timeout', '10m', { description: "How long to wait for the cluster's Route 53 records to go or come back" });
export const zoneIdOption = () =>
  Option.String('--zone-id', { description: "Route 53 hosted zone of the cluster's records (default: found by the base domain)" });
