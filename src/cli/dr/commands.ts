/** The dr commands (issue 9): backup, restore, rollback, migrate (teardown is helper D's, registered beside them). */
import { DrBackupCommand } from './backup.ts';
import { DrRestoreCommand } from './restore.ts';
import { DrRollbackCommand } from './rollback.ts';
import { DrMigrateCommand } from './migrate.ts';

export const drCommands = [DrBackupCommand, DrRestoreCommand, DrRollbackCommand, DrMigrateCommand];
