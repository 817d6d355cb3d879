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
import { CompletionCommand } from './completion-command.ts';
import { drCommands } from './dr/commands.ts';

export const commands = [
  HelpCommand,
  StatusCommand,
  VersionCommand,
  PauseCommand,
  ResumeCommand,
  ...configCommands,
  ...etcdCommands,
  ...drCommands,
  DumpCommand,
  CompletionCommand,
  DebugJournalTestCommand,
];
