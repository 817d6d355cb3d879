/** The etcd commands (issue 8): status, recover, snapshot, restore, restore-url. */
import { EtcdStatusCommand } from './status.ts';

export const etcdCommands = [EtcdStatusCommand];
