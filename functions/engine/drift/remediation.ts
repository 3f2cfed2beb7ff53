/**
 * AWS CLI commands that put a role or policy back to what the template says, for bash or zsh.
 * Documents are given inline as JSON in single quotes. The builders below write a secret as its
 * placeholder (`<secret:TenantExternalId>`); {@link runnableCommands} then turns a finding's
 * commands into ones that run as they are without showing the secret: the user types it into a
 * shell variable that the documents expand.
 */

/** Quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function doc(document: unknown): string {
  return shellQuote(JSON.stringify(document));
}

function tagList(tags: Record<string, string>): string {
  return shellQuote(JSON.stringify(Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))));
}

/** One builder per IAM command a remediation uses. */
export const cli = {
  updateTrust: (role: string, document: unknown) =>
    `aws iam update-assume-role-policy --role-name ${shellQuote(role)} --policy-document ${doc(document)}`,
  putBoundary: (role: string, arn: string) =>
    `aws iam put-role-permissions-boundary --role-name ${shellQuote(role)} --permissions-boundary ${shellQuote(arn)}`,
  deleteBoundary: (role: string) =>
    `aws iam delete-role-permissions-boundary --role-name ${shellQuote(role)}`,
  putInline: (role: string, policy: string, document: unknown) =>
    `aws iam put-role-policy --role-name ${shellQuote(role)} --policy-name ${shellQuote(policy)} --policy-document ${doc(document)}`,
  deleteInline: (role: string, policy: string) =>
    `aws iam delete-role-policy --role-name ${shellQuote(role)} --policy-name ${shellQuote(policy)}`,
  attach: (entity: 'role' | 'user' | 'group', name: string, arn: string) =>
    `aws iam attach-${entity}-policy --${entity}-name ${shellQuote(name)} --policy-arn ${shellQuote(arn)}`,
  detach: (entity: 'role' | 'user' | 'group', name: string, arn: string) =>
    `aws iam detach-${entity}-policy --${entity}-name ${shellQuote(name)} --policy-arn ${shellQuote(arn)}`,
  createPolicyVersion: (arn: string, document: unknown) =>
    `aws iam create-policy-version --policy-arn ${shellQuote(arn)} --policy-document ${doc(document)} --set-as-default`,
  setDefaultVersion: (arn: string, version: string) =>
    `aws iam set-default-policy-version --policy-arn ${shellQuote(arn)} --version-id ${shellQuote(version)}`,
  deletePolicyVersion: (arn: string, version: string) =>
    `aws iam delete-policy-version --policy-arn ${shellQuote(arn)} --version-id ${shellQuote(version)}`,
  createPolicy: (name: string, path: string, document: unknown) =>
    `aws iam create-policy --policy-name ${shellQuote(name)} --path ${shellQuote(path)} --policy-document ${doc(document)}`,
  updateSessionDuration: (role: string, seconds: number) =>
    `aws iam update-role --role-name ${shellQuote(role)} --max-session-duration ${seconds}`,
  tagRole: (role: string, tags: Record<string, string>) =>
    `aws iam tag-role --role-name ${shellQuote(role)} --tags ${tagList(tags)}`,
  untagRole: (role: string, keys: string[]) =>
    `aws iam untag-role --role-name ${shellQuote(role)} --tag-keys ${keys.map(shellQuote).join(' ')}`,
  createRole: (
    role: string,
    settings: {
      path: string;
      trust: unknown;
      maxSessionDuration: number;
      boundary: string | null;
      tags: Record<string, string>;
    },
  ) => {
    const parts = [
      `aws iam create-role --role-name ${shellQuote(role)} --path ${shellQuote(settings.path)}`,
      `--assume-role-policy-document ${doc(settings.trust)}`,
      `--max-session-duration ${settings.maxSessionDuration}`,
    ];
    if (settings.boundary !== null) {
      parts.push(`--permissions-boundary ${shellQuote(settings.boundary)}`);
    }
    const tags = Object.entries(settings.tags);
    if (tags.length > 0) {
      parts.push(`--tags ${tagList(settings.tags)}`);
    }
    return parts.join(' ');
  },
};

const SECRET_PLACEHOLDER = /<secret:([^>]+)>/g;
const UNKNOWN_PLACEHOLDER = /<unknown: [^>]+>/g;

/** Shell and AWS CLI variables a secret's variable must not overwrite. */
const RESERVED_VARIABLE = new RegExp(
  '^(PATH|HOME|IFS|SHELL|USER|PWD|OLDPWD|TERM|LANG|LC_\\w*|PS\\d|ENV|CDPATH|REPLY|UID|EUID|' +
    'PPID|AWS_\\w*|BASH\\w*|ZSH\\w*|HIST\\w*|TMPDIR|OPT\\w*)$',
);

/** The shell variable a secret is typed into: `TenantExternalId` is `TENANT_EXTERNAL_ID`. */
export function secretVariable(parameter: string): string {
  const name = parameter
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  const safe = /^[A-Z]/.test(name) ? name : `SECRET_${name}`;
  return RESERVED_VARIABLE.test(safe) ? `SECRET_${safe}` : safe;
}

/**
 * A finding's commands as a user can run them, in bash or zsh, in order:
 *
 * - A secret placeholder stands inside a single-quoted argument (every argument holding `<` is
 *   quoted), or bare where the secret itself was found by its digest in an argument (a policy
 *   name) and masked afterwards. It is replaced by the expansion of a shell variable, which a
 *   `read -rs` line first asks the user to type (nothing is echoed) and an `unset` line forgets
 *   at the end. The expansion is `${VAR:?}`, so a command whose variable is empty or unset
 *   refuses to run rather than save an empty external ID. The value goes into JSON unescaped: IAM's external
 *   IDs (letters, digits and `+=,.@:/-`) need no escaping there.
 * - A command holding a value the check cannot know (`<unknown: ...>`) is commented out, after
 *   a comment naming what to fill in; it would otherwise save that placeholder as the value.
 */
export function runnableCommands(commands: readonly string[]): string[] {
  const parameters = new Set<string>();
  const out: string[] = [];
  for (const command of commands) {
    const spliced = command.replace(SECRET_PLACEHOLDER, (_, parameter: string, offset: number) => {
      parameters.add(parameter);
      const variable = `"\${${secretVariable(parameter)}:?not read}"`;
      return insideSingleQuotes(command, offset) ? `'${variable}'` : variable;
    });
    const unknown = [...new Set(spliced.match(UNKNOWN_PLACEHOLDER) ?? [])];
    if (unknown.length === 0) {
      out.push(spliced);
      continue;
    }
    out.push(
      `# Cannot run as it is: replace ${unknown.join(', ')} below with the value the stack ` +
        "holds, then run the command without its leading '# '.",
      `# ${spliced}`,
    );
  }
  if (parameters.size === 0) return out;

  const reads = [...parameters].map(
    (parameter) =>
      `read -rs ${secretVariable(parameter)}  # type or paste the value of stack parameter ` +
      `${parameter}, then Enter; it is not shown`,
  );
  const variables = [...parameters].map(secretVariable).join(' ');
  return [...reads, ...out, `unset ${variables}`];
}

/**
 * Whether `offset` of a bash command stands inside single quotes: a secret found by its digest
 * may stand bare (a policy name), where the variable is spliced in without closing quotes.
 */
function insideSingleQuotes(command: string, offset: number): boolean {
  let inside = false;
  for (let i = 0; i < offset; i += 1) {
    const c = command[i];
    if (inside) inside = c !== "'";
    else if (c === '\\') i += 1;
    else inside = c === "'";
  }
  return inside;
}
