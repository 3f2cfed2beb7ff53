/**
 * The policy core against real documents: every policy in the shared IAM exports (AWS managed
 * policies among them, one of 1,370 actions) reads, equals itself as IAM would return it and
 * after reordering, and is judged admin-equivalent only where it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  comparePolicies,
  isAdminEquivalent,
  parsePolicy,
} from '../../../../functions/engine/policy';
import { describeWith, REALWORLD_DIR } from '../../../helpers/requirements';

interface Named {
  name: string;
  document: unknown;
  kind: 'permissions' | 'trust';
}

interface Export {
  RoleDetailList?: {
    RoleName: string;
    AssumeRolePolicyDocument: unknown;
    RolePolicyList?: { PolicyName: string; PolicyDocument: unknown }[];
  }[];
  Policies?: {
    PolicyName: string;
    PolicyVersionList: { VersionId: string; Document: unknown }[];
  }[];
}

const FILES = ['cloudsplaining-example-authz-details.json', 'cloudsplaining-example_authz_v2.json'];

function documents(): Named[] {
  return FILES.flatMap((file) => {
    const data = JSON.parse(
      readFileSync(join(REALWORLD_DIR, 'iam-exports', file), 'utf8'),
    ) as Export;
    const roles = (data.RoleDetailList ?? []).flatMap((role) => [
      {
        name: `${file} role ${role.RoleName} trust`,
        document: role.AssumeRolePolicyDocument,
        kind: 'trust' as const,
      },
      ...(role.RolePolicyList ?? []).map((p) => ({
        name: `${file} role ${role.RoleName} inline ${p.PolicyName}`,
        document: p.PolicyDocument,
        kind: 'permissions' as const,
      })),
    ]);
    const policies = (data.Policies ?? []).flatMap((policy) =>
      policy.PolicyVersionList.map((version) => ({
        name: `${file} policy ${policy.PolicyName} ${version.VersionId}`,
        document: version.Document,
        kind: 'permissions' as const,
      })),
    );
    return [...roles, ...policies];
  });
}

/** The document as a person might rewrite it: statements and lists in reverse order. */
function reversed(document: unknown): unknown {
  const doc = document as { Statement: unknown };
  const statements = [doc.Statement].flat() as Record<string, unknown>[];
  return {
    ...doc,
    Statement: statements.reverse().map((statement) => {
      const out = { ...statement };
      for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) {
        if (Array.isArray(out[key])) out[key] = [...(out[key] as unknown[])].reverse();
      }
      return out;
    }),
  };
}

describeWith(['realworld'], 'the policy core on real IAM exports', () => {
  const all = documents();

  it('finds documents of every kind to work on', () => {
    expect(all.filter((d) => d.kind === 'trust').length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(30);
  });

  it.each(all.map((d) => [d.name, d] as const))(
    '%s reads and equals itself as IAM returns it',
    (_, d) => {
      const encoded = encodeURIComponent(JSON.stringify(d.document));

      expect(() => parsePolicy(d.document, d.name)).not.toThrow();
      expect(comparePolicies(d.document, encoded, { kind: d.kind }).equivalent).toBe(true);
      expect(comparePolicies(d.document, reversed(d.document), { kind: d.kind }).equivalent).toBe(
        true,
      );
    },
  );

  it('judges AdministratorAccess and IAMFullAccess admin-equivalent, and read-only policies not', () => {
    const byName = (name: string) => all.find((d) => d.name.includes(` policy ${name} `))?.document;

    expect(isAdminEquivalent(byName('AdministratorAccess'))).toBe(true);
    expect(isAdminEquivalent(byName('IAMFullAccess'))).toBe(true);
    expect(isAdminEquivalent(byName('SecurityAudit'))).toBe(false);
    expect(isAdminEquivalent(byName('AmazonS3ReadOnlyAccess'))).toBe(false);
    expect(isAdminEquivalent(byName('AWSSupportServiceRolePolicy'))).toBe(false);
  });

  it('reports one widening when an admin statement is added to SecurityAudit', () => {
    const audit = all.find((d) => d.name.includes(' policy SecurityAudit '))?.document as {
      Statement: unknown[];
    };
    const live = {
      ...audit,
      Statement: [...audit.Statement, { Effect: 'Allow', Action: '*', Resource: '*' }],
    };

    const result = comparePolicies(audit, live);

    expect(result.direction).toBe('widened');
    expect(result.changes.map((c) => c.summary)).toEqual([
      `added statement ${audit.Statement.length} allowing * on *`,
    ]);
  });
});
