/** The etcd commands (issue 8): status, recover, snapshot, restore, restore-url. */
import { EtcdRecoverCommand } from './recover.ts';
import { EtcdRestoreCommand } from './restore.ts';
import { EtcdRestoreUrlCommand } from './restore-url.ts';
import { EtcdSnapshotCommand } from './snapshot.ts';
import { EtcdStatusCommand } from './status.ts';

export const etcdCommands = [EtcdStatusCommand, EtcdRecoverCommand, EtcdSnapshotCommand, EtcdRestoreCommand, EtcdRestoreUrlCommand];
