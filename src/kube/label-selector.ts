/**
 * Label selectors with kubectl's grammar, so that `-l` refuses exactly what kubectl refuses (exit 2
 * before any API call) and accepts everything it accepts: `k`, `!k`, `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k>1`, `k<1`, joined by commas.
 *
 * A transcription of k8s.io/apimachinery/pkg/labels/selector.go: Lexer.Lex (longest special
 * token, whitespace ' ', '\t', '\r', '\n'), Parser.parse / parseRequirement /
 * parseKeyAndInferOperator / parseOperator / parseValues / parseIdentifiersList / parseExactValue,
 * and the checks of NewRequirement (label keys and values, integer values for > and <).
 */

export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** Why a selector is invalid; the message is apimachinery's, on one line. */
export class SelectorSyntaxError extends Error {}

type Token = 'end' | 'id' | 'in' | 'notin' | ',' | '(' | ')' | '!' | '=' | '==' | '!=' | '>' | '<';
const SPECIAL_TOKENS = new Set<string>([',', '(', ')', '!', '=', '==', '!=', '>', '<']);
const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string) => '=!(),><'.includes(ch);

function lex(s: string): { tok: Token; lit: string }[] {
  const items: { tok: Token; lit: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // The longest run of special characters that is still a token ("!=" rather than "!").
      let buffer = '';
      let last = '';
      while (pos < s.length && isSpecial(s[pos])) {
        buffer += s[pos];
        if (SPECIAL_TOKENS.has(buffer)) {
          last = buffer;
          pos++;
        } else if (last) break;
        else pos++;
      }
      if (!last) throw new SelectorSyntaxError(`error expected: keyword found '${buffer}'`);
      items.push({ tok: last as Token, lit: last });
      continue;
    }
    let word = '';
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) word += s[pos++];
    items.push({ tok: word === 'in' || word === 'notin' ? word : 'id', lit: word });
  }
}

/** Parses a selector into its requirements (in input order), or throws SelectorSyntaxError. */
export function parseLabelSelector(selector: string): Requirement[] {
  const items = lex(selector);
  let position = 0;
  // In the "values" context the keywords in/notin are ordinary identifiers (`notin=in` is valid).
  const asValue = (tok: Token): Token => (tok === 'in' || tok === 'notin' ? 'id' : tok);
  const lookahead = (values = true) => (values ? { ...items[position], tok: asValue(items[position].tok) } : items[position]);
  const consume = (values = true) => {
    const item = lookahead(values);
    position++;
    return item;
  };

  const parseValues = (): string[] => {
    const open = consume();
    if (open.tok !== '(') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const first = lookahead();
    if (first.tok === ')') {
      consume();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new SelectorSyntaxError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const item = consume();
      if (item.tok === 'id') {
        values.add(item.lit);
        const next = lookahead();
        if (next.tok === ',') continue;
        if (next.tok === ')') break;
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (item.tok === ',') {
        if (values.size === 0) values.add('');
        const next = lookahead();
        if (next.tok === ')') {
          values.add('');
          break;
        }
        if (next.tok === ',') values.add('');
      } else {
        throw new SelectorSyntaxError(`found '${item.lit}', expected: ',', or identifier`);
      }
    }
    const close = consume();
    if (close.tok !== ')') throw new SelectorSyntaxError(`found '${close.lit}', expected: ')'`);
    return [...values];
  };

  const parseExactValue = (): string[] => {
    const next = lookahead();
    if (next.tok === 'end' || next.tok === ',') return [''];
    const item = consume();
    if (item.tok === 'id') return [item.lit];
    throw new SelectorSyntaxError(`found '${item.lit}', expected: identifier`);
  };

  const parseRequirement = (): Requirement => {
    let item = consume();
    let operator: SelectorOperator | undefined;
    if (item.tok === '!') {
      operator = '!';
      item = consume();
    }
    if (item.tok !== 'id') throw new SelectorSyntaxError(`found '${item.lit}', expected: identifier`);
    const key = item.lit;
    checkKey(key);
    const next = lookahead().tok;
    if (operator === '!') return requirement(key, '!', []);
    if (next === 'end' || next === ',') return requirement(key, 'exists', []);
    const op = consume(false);
    switch (op.tok) {
      case 'in':
      case 'notin':
        return requirement(key, op.tok, parseValues());
      case '=':
      case '==':
      case '!=':
      case '>':
      case '<':
        return requirement(key, op.tok, parseExactValue());
      default:
        throw new SelectorSyntaxError(`found '${op.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  };

  const requirements: Requirement[] = [];
  for (;;) {
    const head = lookahead();
    if (head.tok === 'end') return requirements;
    if (head.tok !== 'id' && head.tok !== '!') throw new SelectorSyntaxError(`found '${head.lit}', expected: !, identifier, or 'end of string'`);
    requirements.push(parseRequirement());
    const sep = consume();
    if (sep.tok === 'end') return requirements;
    if (sep.tok !== ',') throw new SelectorSyntaxError(`found '${sep.lit}', expected: ',' or 'end of string'`);
    const after = lookahead();
    if (after.tok !== 'id' && after.tok !== '!') throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
  }
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const INT64 = /^[+-]?\d+$/;

/** validation.IsQualifiedName: [prefix/]name, prefix a DNS subdomain of at most 253, name at most 63. */
function checkKey(key: string): void {
  const parts = key.split('/');
  const name = parts[parts.length - 1];
  const bad =
    parts.length > 2 ||
    (parts.length === 2 && (parts[0] === '' || parts[0].length > 253 || !DNS_SUBDOMAIN.test(parts[0]))) ||
    name.length > 63 ||
    !NAME.test(name);
  if (bad)
    throw new SelectorSyntaxError(
      `invalid label key "${key}": a qualified name is [prefix/]name, name at most 63 characters of [A-Za-z0-9_.-] starting and ending alphanumeric`,
    );
}

/** NewRequirement's checks. */
function requirement(key: string, operator: SelectorOperator, values: string[]): Requirement {
  if ((operator === '>' || operator === '<') && !values.every((v) => INT64.test(v) && BigInt(v) <= 2n ** 63n - 1n && BigInt(v) >= -(2n ** 63n))) {
    throw new SelectorSyntaxError(`for 'Gt', 'Lt' operators, the value must be an integer`);
  }
  for (const v of values) {
    if (v.length > 63 || !LABEL_VALUE.test(v))
      throw new SelectorSyntaxError(`invalid label value "${v}" for key "${key}": at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric`);
  }
  return { key, operator, values };
}
