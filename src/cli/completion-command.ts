import { Command, Option } from 'clipanion';
import { HcpCommand } from './base.ts';
import { completionScript, SHELLS, type Shell } from './completion-scripts.ts';
import { UsageError } from '../util/errors.ts';

export class CompletionCommand extends HcpCommand {
  static override paths = [['completion']];
  static override usage = Command.Usage({
    category: 'Shell completion',
    description: 'Print a shell completion script (bash, zsh or fish)',
    details: `
      \`kubectl hcp <TAB>\` is completed by kubectl's own completion script (\`kubectl completion bash\`), which since kubectl 1.26 asks the plugin's helper: an executable named \`kubectl_complete-hcp\` on PATH (\`oc_complete-hcp\` for oc). The release tarball holds both next to the binary; krew keeps them in its store, so link them onto PATH once (see the install caveats). The helper completes commands, flags, flag values, and the HostedCluster, NodePool and etcd pod names of the current context (honouring \`--kubeconfig\`, \`--context\` and \`-n\` on the line).

      The script this command prints does the same for the \`kubectl-hcp\` executable run directly.
    `,
    examples: [
      ['bash, for this shell', 'source <($0 completion bash)'],
      ['zsh (after compinit)', 'source <($0 completion zsh)'],
      ['fish', '$0 completion fish | source'],
    ],
  });

  shell = Option.String({ name: 'SHELL' });

  async run(): Promise<void> {
    if (!(SHELLS as readonly string[]).includes(this.shell)) throw new UsageError(`shell "${this.shell}" is not supported: use ${SHELLS.join(', ')}`);
    this.context.stdout.write(completionScript(this.shell as Shell));
  }
}
