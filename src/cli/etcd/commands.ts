/** The etcd commands (issue 8): status, recover, snapshot, restore, restore-url. */
import { EtcdRecoverCommand } from './recover.ts';
import { EtcdSnapshotCommand } from './snapshot.ts';
import { EtcdStatusCommand } from './status.ts';

export const etcdCommands = [EtcdStatusCommand, EtcdRecoverCommand, EtcdSnapshotCommand];
