import { Command } from 'clipanion';
import type { HcpContext } from './context.ts';

export const GLOBAL_FLAGS_HELP = `Global flags (accepted by every command, before or after it):
  --kubeconfig PATH          kubeconfig file (default: $KUBECONFIG, merged like kubectl, then ~/.kube/config)
  --context NAME             kubeconfig context
  --cluster NAME             kubeconfig cluster
  --user NAME                kubeconfig user
  -n, --namespace NS         namespace of the HostedCluster (default: clusters)
  --hypershift-namespace NS  namespace of the HyperShift operator (default: hypershift)
  --as USER                  impersonate a user
  --as-group GROUP           impersonate a group (repeatable)
  --request-timeout D        timeout of one API request, e.g. 30s (default: none)
  -v, --v N                  1: stack traces on errors; 6: log every API request
`;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  runtime failure (the message says what happened and what state the cluster is in)
  2  invalid usage or input (nothing was written)
  3  refused by a safety interlock, or confirmation declined (nothing was written)
  130  interrupted (Ctrl-C, SIGTERM): the message names the step that may be half done
`;

/** `kubectl hcp --help`: the command list, then the global flags and exit codes. */
export function topLevelHelp(cli: { usage: (command: null) => string }): string {
  return `${cli.usage(null)}\n${GLOBAL_FLAGS_HELP}\n${EXIT_CODES_HELP}`;
}

export class HelpCommand extends Command<HcpContext> {
  static override paths = [['-h'], ['--help']];
  async execute(): Promise<number> {
    this.context.stdout.write(topLevelHelp(this.cli));
    return 0;
  }
}
