/**
 * AWS CLI commands that put a role or policy back to what the template says. Documents are
 * given inline as JSON in single quotes; a secret stands as its placeholder (for example
 * `<secret:TenantExternalId>`), to be replaced with the real value before running.
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
