/** Every command class, registered by main.ts and listed by the docs generator. */
import { HelpCommand } from './help.ts';
import { PauseCommand } from './pause.ts';
import { ResumeCommand } from './resume.ts';
import { StatusCommand } from './status.ts';
import { VersionCommand } from './version.ts';
import { configCommands } from './config-commands.ts';
import { etcdCommands } from './etcd/commands.ts';
import { DebugJournalTestCommand } from './debug/journal-test.ts';
import { DumpCommand } from './dump.ts';
import { DeleteCommand } from './delete.ts';
import { drCommands } from './dr/commands.ts';
import { DrTeardownCommand } from './dr/teardown.ts';
import { CompletionCommand } from './completion-command.ts';

export const commands = [
  HelpCommand,
  StatusCommand,
  VersionCommand,
  PauseCommand,
  ResumeCommand,
  DeleteCommand,
  ...configCommands,
  ...etcdCommands,
  ...drCommands,
  DrTeardownCommand,
  DumpCommand,
  CompletionCommand,
  DebugJournalTestCommand,
];
