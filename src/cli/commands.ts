/** Every command class, registered by main.ts and listed by the docs generator. */
import { Builtins } from 'clipanion';
import { VersionCommand } from './version.ts';

export const commands = [Builtins.HelpCommand, VersionCommand];
