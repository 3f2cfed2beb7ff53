/**
 * Reads a template's YAML text into the JSON tree CloudFormation works on.
 *
 * YAML is walked node by node rather than converted by the library, so that plain scalars keep
 * CloudFormation's meaning instead of YAML 1.2's: `2012-10-17` stays that text, and a number is
 * only a number when writing it back gives the same digits (`012345678901` and `000000000000`
 * stay text, every digit kept). CloudFormation reads YAML 1.1, whose booleans include `yes`,
 * `no`, `on` and `off` (any of the three casings YAML 1.1 lists), so those are booleans here too,
 * keys included: a tag written `Value: yes` is deployed as `true`.
 *
 * Limitation: the other number forms of YAML 1.1 (`0755` as octal, `0x1F`, `1_000`, `12:30` in
 * base 60, `.inf`) stay the text written, so that an account ID keeps every digit; where
 * CloudFormation's reader would make such a value a number, the engine shows the text instead.
 *
 * Short tags become the long form (`!Ref X` is `{ Ref: X }`, `!GetAtt A.B` is
 * `{ 'Fn::GetAtt': ['A', 'B'] }`). Aliases and anchors are refused, as CloudFormation refuses them.
 */
import {
  type CollectionTag,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  type ScalarTag,
} from 'yaml';
import { child, fail, type Path, TemplateError } from './errors';
import { putOwn } from './own';

/** Short tags and the long form each stands for. */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!If': 'Fn::If',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!FindInMap': 'Fn::FindInMap',
  '!ImportValue': 'Fn::ImportValue',
  '!GetStackOutput': 'Fn::GetStackOutput',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!Equals': 'Fn::Equals',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Not': 'Fn::Not',
  '!Transform': 'Fn::Transform',
  '!ToJsonString': 'Fn::ToJsonString',
  '!Length': 'Fn::Length',
  '!ForEach': 'Fn::ForEach',
  // Rule functions, which only the Rules section may use.
  '!Contains': 'Fn::Contains',
  '!EachMemberEquals': 'Fn::EachMemberEquals',
  '!EachMemberIn': 'Fn::EachMemberIn',
  '!RefAll': 'Fn::RefAll',
  '!ValueOf': 'Fn::ValueOf',
  '!ValueOfAll': 'Fn::ValueOfAll',
};

const NUMBER = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const YAML_TAG = 'tag:yaml.org,2002:';
/** The YAML tags CloudFormation reads; it refuses binary, omap, pairs, set and timestamp. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq']);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
/** YAML 1.1's booleans, which CloudFormation's reader resolves (YAML 1.2 keeps only true/false). */
const TRUES = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const FALSES = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

/**
 * Parses YAML text as CloudFormation does, retrying once with quoted continuation lines
 * indented (see {@link indentQuotedContinuations}).
 *
 * @throws TemplateError naming the line, or the JSON path, at fault
 */
export function parseYaml(text: string, source: string): unknown {
  let attempt = readYaml(text);
  if (attempt.error !== undefined) {
    const repaired = indentQuotedContinuations(text);
    if (repaired !== text) {
      const second = readYaml(repaired);
      if (second.error === undefined) attempt = second;
    }
  }
  const { document, lineCounter, error } = attempt;
  if (error !== undefined) {
    const at = lineCounter.linePos(error.pos[0]);
    const what = error.message.split('\n')[0];
    throw new TemplateError('', `${source}: line ${at.line}, column ${at.col}: ${what}`);
  }
  return toJson(document.contents as Node | null, null, lineCounter);
}

/**
 * The short tags, declared to the YAML parser so that it keeps them on their nodes without a
 * warning per tag (building those warnings doubles the parse time of a large template). The
 * nodes are turned into the long form by the walk below.
 */
export const YAML_TAGS: (ScalarTag | CollectionTag)[] = Object.keys(SHORT_TAGS).flatMap(
  (tag): (ScalarTag | CollectionTag)[] => [
    { tag, resolve: (value: string) => value },
    { tag, collection: 'seq', resolve: (value) => value },
    { tag, collection: 'map', resolve: (value) => value },
  ],
);

function readYaml(text: string) {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    schema: 'failsafe',
    customTags: YAML_TAGS,
    uniqueKeys: true,
    lineCounter,
    prettyErrors: false,
  });
  return { document, lineCounter, error: document.errors[0] };
}

const QUOTE_START = /^(\s*)(?:-\s+)*(?:[^'"#\s][^'"#]*?:\s+)?(?:![A-Za-z]+\s+)?(['"])/;

/**
 * CloudFormation's YAML reader accepts a quoted scalar whose continuation lines are indented no
 * deeper than its key, which YAML 1.2 (and so the `yaml` package) refuses. Indenting those lines
 * further keeps the scalar's value (leading spaces of a continuation line fold away), so a
 * template that fails to parse is retried once with them indented.
 */
export function indentQuotedContinuations(text: string): string {
  const lines = text.split('\n');
  let open: { quote: string; indent: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (open !== undefined) {
      const stripped = line.replace(/^\s*/, '');
      if (stripped !== '' && line.length - stripped.length <= open.indent.length) {
        lines[i] = `${open.indent}  ${stripped}`;
      }
      if (closes(stripped, 0, open.quote)) open = undefined;
      continue;
    }
    const match = QUOTE_START.exec(line);
    if (match === null) continue;
    const start = match[0].length;
    if (!closes(line, start, match[2])) open = { quote: match[2], indent: match[1] };
  }
  return lines.join('\n');
}

/** Whether a quoted scalar opened before `from` closes on this line. */
function closes(line: string, from: number, quote: string): boolean {
  for (let i = from; i < line.length; i++) {
    const char = line[i];
    if (quote === '"' && char === '\\') {
      i++;
      continue;
    }
    if (char !== quote) continue;
    if (quote === "'" && line[i + 1] === "'") {
      i++;
      continue;
    }
    return true;
  }
  return false;
}

function lineOf(node: Node, lineCounter: LineCounter): string {
  const start = node.range?.[0];
  if (start === undefined) return '';
  const at = lineCounter.linePos(start);
  return ` (line ${at.line})`;
}

function toJson(node: Node | null, path: Path | null, lines: LineCounter): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    fail(path, `YAML aliases (*${node.source}) are not allowed in CloudFormation templates`);
  }
  if (node.anchor !== undefined) {
    fail(path, `YAML anchors (&${node.anchor}) are not allowed in CloudFormation templates`);
  }
  const tag = node.tag;
  if (tag?.startsWith(YAML_TAG) && !CORE_TAGS.has(tag.slice(YAML_TAG.length))) {
    fail(
      path,
      `the YAML tag !!${tag.slice(YAML_TAG.length)} is not supported by CloudFormation, which ` +
        `refuses binary, omap, pairs, set and timestamp values${lineOf(node, lines)}`,
    );
  }
  let value: unknown;
  if (isScalar(node)) {
    value = scalarValue(node, tag, path);
  } else if (isSeq(node)) {
    value = node.items.map((item, index) => toJson(item as Node | null, child(path, index), lines));
  } else if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      if (keyNode !== null && !isScalar(keyNode)) {
        fail(path, `a mapping key must be plain text${lineOf(keyNode, lines)}`);
      }
      const key = keyNode === null ? '' : keyText(keyNode as Scalar);
      if (key === '<<') fail(path, 'YAML merge keys (<<) are not allowed in CloudFormation');
      putOwn(out, key, toJson(pair.value as Node | null, child(path, key), lines));
    }
    value = out;
  } else {
    fail(path, `unexpected YAML node${lineOf(node, lines)}`);
  }
  if (tag === undefined || tag.startsWith(YAML_TAG)) return value;
  return longForm(tag, value, path, node, lines);
}

/** A mapping key as CloudFormation sees it: text, where a YAML 1.1 boolean is `true`/`false`. */
function keyText(node: Scalar): string {
  const text = String(node.value ?? '');
  if (node.type !== 'PLAIN' || node.tag !== undefined) return text;
  if (TRUES.has(text)) return 'true';
  if (FALSES.has(text)) return 'false';
  return text;
}

function scalarValue(node: Scalar, tag: string | undefined, path: Path | null): unknown {
  const text = String(node.value ?? '');
  if (tag?.startsWith(YAML_TAG)) return taggedScalar(text, tag.slice(YAML_TAG.length), path);
  if (node.type !== 'PLAIN' || tag !== undefined) return text;
  if (NULLS.has(text)) return null;
  if (TRUES.has(text)) return true;
  if (FALSES.has(text)) return false;
  if (NUMBER.test(text)) {
    const number = Number(text);
    if (Number.isFinite(number) && String(number) === text) return number;
  }
  return text;
}

/** A scalar with an explicit core tag (`!!str 12`, `!!int "5"`), read as the tag says. */
function taggedScalar(text: string, tag: string, path: Path | null): unknown {
  if (tag === 'null') return null;
  if (tag === 'bool') {
    if (TRUES.has(text)) return true;
    if (FALSES.has(text)) return false;
    fail(path, `!!bool takes true or false (or yes, no, on, off), received '${text}'`);
  }
  if (tag === 'int' || tag === 'float') {
    const number = Number(text.replace(/_/g, ''));
    if (text.trim() === '' || !Number.isFinite(number)) {
      fail(path, `!!${tag} takes a number, received '${text}'`);
    }
    return number;
  }
  return text;
}

function longForm(
  tag: string,
  value: unknown,
  path: Path | null,
  node: Node,
  lines: LineCounter,
): unknown {
  const name = SHORT_TAGS[tag];
  if (name === undefined) {
    fail(path, `${tag} is not a CloudFormation function${lineOf(node, lines)}`);
  }
  if (name === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    if (dot <= 0 || dot === value.length - 1) {
      fail(path, `!GetAtt needs Resource.Attribute, received '${value}'${lineOf(node, lines)}`);
    }
    return { [name]: [value.slice(0, dot), value.slice(dot + 1)] };
  }
  if (name === 'Fn::GetAZs' && value === null) return { [name]: '' };
  return { [name]: value };
}
