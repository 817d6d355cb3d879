/**
 * All terminal output goes through here: results on stdout, diagnostics on stderr, colour only
 * when the stream is a terminal and NO_COLOR is unset.
 */
import type { Writable } from 'node:stream';
import yaml from 'js-yaml';

export type OutputFormat = 'table' | 'json' | 'yaml';

/**
 * Every -o json|yaml document and every NDJSON line carries this apiVersion and a `kind`, so a
 * script can check what it reads (README, "Output for scripts"). Bump it when a shape changes
 * incompatibly; the golden files in test/unit/golden/ pin the shapes.
 */
export const API_VERSION = 'hcp.kubectl.io/v1alpha1';

/** `value` with apiVersion and kind first (and not overridable by the value's own keys). */
export function stamp(kind: string, value: object): Record<string, unknown> {
  return Object.assign({ apiVersion: API_VERSION, kind }, value, { apiVersion: API_VERSION, kind });
}

/** A command's default kind from its path: ['etcd', 'status'] → EtcdStatus, ['dr', 'backup'] → DrBackup. */
export function kindOfPath(path: readonly string[]): string {
  return path
    .flatMap((p) => p.split('-'))
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

const ANSI = { red: 31, green: 32, yellow: 33, blue: 34, bold: 1, dim: 2 } as const;
export type Colour = keyof typeof ANSI;

/** The streams and terminal facts output needs (the CLI context has them). */
export interface OutputContext {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

export class Output {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly colorStdout: boolean;
  readonly colorStderr: boolean;

  /** The kind data() stamps when the caller names none (the command's kindOfPath). */
  readonly defaultKind: string;

  constructor(ctx: OutputContext, defaultKind = 'Output') {
    this.defaultKind = defaultKind;
    this.stdout = ctx.stdout;
    this.stderr = ctx.stderr;
    const allowed = ctx.env.NO_COLOR === undefined && ctx.env.TERM !== 'dumb';
    this.colorStdout = allowed && ctx.stdoutIsTTY;
    this.colorStderr = allowed && ctx.stderrIsTTY;
  }

  paint(text: string, colour: Colour, stream: 'stdout' | 'stderr' = 'stdout'): string {
    const on = stream === 'stdout' ? this.colorStdout : this.colorStderr;
    return on ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text;
  }

  /** A result line on stdout. */
  print(text = ''): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  error(message: string): void {
    this.stderr.write(`${this.paint('error:', 'red', 'stderr')} ${message}\n`);
  }

  warn(message: string): void {
    this.stderr.write(`${this.paint('warning:', 'yellow', 'stderr')} ${message}\n`);
  }

  /** A diagnostic line on stderr (progress, hints). */
  note(message: string): void {
    this.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  }

  /**
   * Prints structured data: for json/yaml the object stamped with apiVersion and `kind` (default
   * the command's), the table otherwise.
   */
  data(format: OutputFormat, value: object, table: () => string, kind = this.defaultKind): void {
    if (format === 'json') this.print(JSON.stringify(stamp(kind, value), null, 2));
    else if (format === 'yaml') this.stdout.write(toYaml(stamp(kind, value)));
    else this.stdout.write(table());
  }

  /** One NDJSON line on stdout (progress events, a streamed result), stamped like data(). */
  ndjson(kind: string, value: object): void {
    this.print(JSON.stringify(stamp(kind, value)));
  }
}

export function toYaml(value: unknown): string {
  return yaml.dump(value, { noRefs: true, lineWidth: 120, sortKeys: false });
}

/** kubectl-style columns: upper-case headers, two spaces between columns, no borders. */
export function renderTable(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => r.map((c) => (c === undefined || c === '' ? '<none>' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return (
    cells
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
          .join('   ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
