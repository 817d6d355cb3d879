import { Option } from 'clipanion';
import * as t from 'typanion';
import { MutatingCommand, type Report } from '../mutating.ts';
import { resumeOption } from '../flags.ts';
import type { ExecutionResult } from '../../plan/executor.ts';

/** Hidden: a journaled plan for testing --resume after a SIGKILL at every step (see src/debug/journal-test.ts). */
export class DebugJournalTestCommand extends MutatingCommand<void, void> {
  static override paths = [['debug', 'journal-test']];
  static override usage = undefined;

  name = Option.String({ name: 'NAME' });
  dir = Option.String('--dir', { required: true, description: "Directory for the steps' traces" });
  steps = Option.String('--steps', '4', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 50)]) });
  killAfterStep = Option.String('--kill-after-step', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 50)]) });
  hangAtStep = Option.String('--hang-at-step', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 50)]) });
  resume = resumeOption();

  private lib!: typeof import('../../debug/journal-test.ts');

  protected override async load(): Promise<void> {
    this.lib = await import('../../debug/journal-test.ts');
  }

  protected validate(): void {}

  protected async observe(): Promise<void> {}

  protected override executeOptions() {
    return { resume: this.resume };
  }

  protected plan() {
    return this.lib.planJournalTest({
      name: this.name,
      steps: Number(this.steps),
      dir: this.dir,
      killAfterStep: this.killAfterStep === undefined ? undefined : Number(this.killAfterStep),
      hangAtStep: this.hangAtStep === undefined ? undefined : Number(this.hangAtStep),
    });
  }

  protected report(result: ExecutionResult): Report {
    if (Number(this.killAfterStep) === Number(this.steps)) process.kill(process.pid, 'SIGKILL');
    return {
      value: { ran: result.ran, seedSha256: result.artifacts.seedSha256 },
      text: `journal-test/${this.name}: ran ${result.ran.join(', ') || 'nothing'}`,
    };
  }
}
