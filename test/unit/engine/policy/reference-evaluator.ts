/**
 * A small, independent evaluator of IAM policies against concrete requests, used as an oracle
 * in tests: whatever the comparison says of two documents must agree with what they allow for
 * every request tried. It follows IAM's documented evaluation: a request is allowed when some
 * Allow statement matches it and no Deny statement does; a condition key missing from the
 * request fails a positive operator, passes a negated one, passes `...IfExists` and
 * `ForAllValues`, and fails `ForAnyValue`. It knows only the operators the tests generate
 * (String, Arn, Numeric, Date in ISO 8601, Bool, IpAddress for IPv4, Null) and no policy
 * variables.
 *
 * ARNs are matched as IAM documents it. ArnLike compares the six parts of an ARN one by one
 * (the sixth, the resource, is the remainder and may hold colons). For the Resource element
 * IAM's documentation gives two rules, so the evaluator takes the one to follow: `parts`, as
 * ArnLike, or `segment-ends`, where a `*` ending a colon-separated part may match colons and
 * every other wildcard stays within its part. A Resource of only `*` matches everything.
 */

type Json = Record<string, unknown>;

/** A request: an action on a resource by a principal, with its condition context. */
export interface ConcreteRequest {
  action: string;
  resource: string;
  /** The caller, e.g. `{ type: 'AWS', value: 'arn:aws:iam::111122223333:role/x' }`. */
  principal?: { type: string; value: string };
  /** Condition keys in lower case; a key that is absent is missing from the request. */
  context: Record<string, string[]>;
}

/** How a Resource pattern's wildcards treat colons (see the top of this file). */
export type ResourceRule = 'parts' | 'segment-ends';

/** Whether the document allows the request: some Allow statement matches and no Deny does. */
export function allows(
  document: Json,
  request: ConcreteRequest,
  rule: ResourceRule = 'parts',
): boolean {
  const raw = document.Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]) as Json[];
  const matching = statements.filter((statement) => matches(statement, request, rule));
  return (
    matching.some((statement) => statement.Effect === 'Allow') &&
    !matching.some((statement) => statement.Effect === 'Deny')
  );
}

function matches(statement: Json, request: ConcreteRequest, rule: ResourceRule): boolean {
  return (
    element(statement, 'Action', (p) => glob(p.toLowerCase(), request.action.toLowerCase())) &&
    element(statement, 'Resource', (p) => resourceMatches(p, request.resource, rule)) &&
    principalMatches(statement, request) &&
    conditionHolds((statement.Condition ?? {}) as Json, request.context)
  );
}

/** An element and its Not form: absent (matches), a list of patterns, or their complement. */
function element(statement: Json, name: string, test: (pattern: string) => boolean): boolean {
  const plain = statement[name];
  const negated = statement[`Not${name}`];
  if (plain === undefined && negated === undefined) return true;
  const list = [plain ?? negated].flat() as string[];
  const hit = list.some(test);
  return plain !== undefined ? hit : !hit;
}

function principalMatches(statement: Json, request: ConcreteRequest): boolean {
  const plain = statement.Principal;
  const negated = statement.NotPrincipal;
  if (plain === undefined && negated === undefined) return true;
  if (request.principal === undefined) return false;
  const hit = principalIn(plain ?? negated, request.principal);
  return plain !== undefined ? hit : !hit;
}

function principalIn(principal: unknown, caller: { type: string; value: string }): boolean {
  if (principal === '*') return true;
  return Object.entries(principal as Json).some(([type, values]) =>
    ([values].flat() as string[]).some((value) => {
      if (value === '*') return true;
      if (type !== caller.type) return false;
      if (type === 'Service') return value.toLowerCase() === caller.value.toLowerCase();
      const account =
        /^(\d{12})$/.exec(value)?.[1] ?? /^arn:[\w-]+:iam::(\d{12}):root$/.exec(value)?.[1];
      if (account !== undefined) {
        return caller.value === account || caller.value.split(':')[4] === account;
      }
      return value === caller.value;
    }),
  );
}

function conditionHolds(block: Json, context: Record<string, string[]>): boolean {
  return Object.entries(block).every(([operator, entries]) =>
    Object.entries(entries as Json).every(([key, values]) =>
      clauseHolds(operator, [values].flat().map(String), context[key.toLowerCase()]),
    ),
  );
}

function clauseHolds(operator: string, policy: string[], request: string[] | undefined): boolean {
  const set = /^(ForAnyValue|ForAllValues):/i.exec(operator)?.[1]?.toLowerCase();
  let base = operator.replace(/^(ForAnyValue|ForAllValues):/i, '');
  const ifExists = /IfExists$/i.test(base);
  base = base.replace(/IfExists$/i, '').toLowerCase();

  if (base === 'null') {
    return policy.some((value) => (value.toLowerCase() === 'true') === (request === undefined));
  }
  const negated = /not/.test(base);
  if (request === undefined) {
    if (ifExists) return true;
    if (set === 'forallvalues') return true;
    if (set === 'foranyvalue') return false;
    return negated;
  }
  const one = (value: string) => {
    const hit = policy.some((p) => valueMatches(base.replace('not', ''), p, value));
    return negated ? !hit : hit;
  };
  if (set === 'forallvalues') return request.every(one);
  if (set === 'foranyvalue') return request.some(one);
  return one(request[0] as string);
}

function valueMatches(base: string, policy: string, value: string): boolean {
  if (base === 'stringequals' || base === 'arnequals') return policy === value;
  if (base === 'stringequalsignorecase') return policy.toLowerCase() === value.toLowerCase();
  if (base === 'stringlike') return glob(policy, value);
  if (base === 'arnlike') return arnPartsMatch(policy, value);
  if (base === 'bool') return policy.toLowerCase() === value.toLowerCase();
  if (base === 'ipaddress') return inCidr(policy, value);
  if (base.startsWith('numeric')) return compare(base.slice(7), Number(value), Number(policy));
  if (base.startsWith('date')) return compare(base.slice(4), Date.parse(value), Date.parse(policy));
  throw new Error(`the reference evaluator does not know the operator ${base}`);
}

function compare(relation: string, value: number, limit: number): boolean {
  switch (relation) {
    case 'equals':
      return value === limit;
    case 'lessthan':
      return value < limit;
    case 'lessthanequals':
      return value <= limit;
    case 'greaterthan':
      return value > limit;
    case 'greaterthanequals':
      return value >= limit;
    default:
      throw new Error(`the reference evaluator does not know Numeric${relation}`);
  }
}

/** Whether a text matches an IAM pattern: `*` any run of characters, `?` exactly one. */
export function glob(pattern: string, text: string): boolean {
  let regex = globs.get(pattern);
  if (regex === undefined) {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    regex = new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
    globs.set(pattern, regex);
  }
  return regex.test(text);
}

const globs = new Map<string, RegExp>();

function resourceMatches(pattern: string, resource: string, rule: ResourceRule): boolean {
  if (/^\*+$/.test(pattern)) return true;
  if (rule === 'parts') return arnPartsMatch(pattern, resource);
  const regex = [...pattern].map((c, i) => {
    if (c === '?') return '[^:]';
    if (c !== '*') return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    const endsPart = /^\**(:|$)/.test(pattern.slice(i + 1));
    return endsPart ? '.*' : '[^:]*';
  });
  return new RegExp(`^${regex.join('')}$`, 's').test(resource);
}

/** ArnLike: the first five colons split both into six parts, each matched on its own. */
function arnPartsMatch(pattern: string, arn: string): boolean {
  const parts = (text: string) => {
    const split = text.split(':');
    return split.length < 6 ? undefined : [...split.slice(0, 5), split.slice(5).join(':')];
  };
  const policy = parts(pattern);
  const request = parts(arn);
  if (policy === undefined || request === undefined) return false;
  return policy.every((part, i) => glob(part, request[i] as string));
}

function inCidr(range: string, address: string): boolean {
  const [base, bits = '32'] = range.split('/');
  const number = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(number(address) / size) === Math.floor(number(base as string) / size);
}
