import { Command, Option } from 'clipanion';
import { HcpCommand } from './base.ts';
import { outputOption } from './flags.ts';
import { COMMIT, VERSION } from '../version.ts';
import type { OutputFormat } from '../output/output.ts';
import { RuntimeError } from '../util/errors.ts';

export class VersionCommand extends HcpCommand {
  static override paths = [['version']];
  static override usage = Command.Usage({
    category: 'Information',
    description: 'Show the client version, the HyperShift operator and the versions it supports',
    details: `
      Reads deployment \`operator\` and configmap \`supported-versions\` in the operator namespace (\`--hypershift-namespace\`).
      With \`--client\`, prints only the client version and needs no cluster.
    `,
    examples: [
      ['Show client and operator versions', '$0 version'],
      ['Show only the client version', '$0 version --client'],
    ],
  });

  client = Option.Boolean('--client', false, { description: 'Print only the client version' });
  output = outputOption();

  async run(): Promise<number> {
    const format = this.output as OutputFormat;
    const client = { version: VERSION, commit: COMMIT, node: process.version, platform: `${process.platform}/${process.arch}` };
    if (this.client) {
      this.out.data(format, { client }, () => `Client Version: ${VERSION} (commit ${COMMIT}, ${client.platform})\n`, 'Version');
      return 0;
    }
    const { readOperatorInfo } = await import('../hostedcluster/operator.ts');
    const operator = await readOperatorInfo(await this.kube(), this.hypershiftNamespace);
    this.out.data(
      format,
      { client, operator },
      () => {
        const rows: [string, string | undefined][] = [
          ['Client Version', `${VERSION} (commit ${COMMIT}, ${client.platform})`],
          ['Operator Namespace', operator.namespace],
          ['Operator Image', operator.image],
          ['Operator Revision', operator.serverVersion],
          ['Operator Replicas', operator.replicas ? `${operator.replicas.ready ?? 0}/${operator.replicas.desired ?? 0} ready` : undefined],
          ['Supported Versions', operator.supportedVersions?.join(', ')],
        ];
        return rows.map(([k, v]) => `${k}: ${v ?? '<unknown>'}`).join('\n') + '\n';
      },
      'Version',
    );
    if (!operator.found)
      throw new RuntimeError(`no HyperShift operator found: ${operator.problems.join('; ')}`, {
        hint: 'pass --hypershift-namespace if the operator runs elsewhere',
      });
    for (const p of operator.problems) this.out.warn(p);
    return 0;
  }
}
