/** The dr commands (issue 9): backup, restore, rollback, migrate (teardown is helper D's, registered beside them). */
import { DrBackupCommand } from './backup.ts';

export const drCommands = [DrBackupCommand];
