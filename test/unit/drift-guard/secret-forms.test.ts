/**
 * Canaries for copies of the external ID that are not the value itself: in other capitals or in
 * base64, planted in live IAM. The drift guard knows only digests, of the value and of the value
 * lower-cased; with both, such a copy leaves through no SNS message, response or log line.
 */

import { PublishCommand } from '@aws-sdk/client-sns';
import { clearSecrets } from '../../../functions/engine/log';
import { MemoryTable } from '../engine/drift/run-builders';
import { cleanExport, ENV, EXTERNAL_ID, invoke, role, serve, sns } from './stack-world';

// biome-ignore lint/suspicious/noExplicitAny: the export is free-form JSON
type Json = any;

const UPPER = EXTERNAL_ID.toUpperCase();
const LOWER = EXTERNAL_ID.toLowerCase();
const BASE64 = Buffer.from(EXTERNAL_ID).toString('base64');
const BASE64_UPPER = Buffer.from(UPPER).toString('base64');

function withInlinePolicy(name: string) {
  const exported = cleanExport();
  role(exported, 'scanner').RolePolicyList.push({
    PolicyName: name,
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    },
  });
  return exported;
}

function withTag(value: string) {
  const exported = cleanExport();
  const tenant = role(exported, 'tenant');
  tenant.Tags = [...(tenant.Tags ?? []), { Key: 'copy', Value: value }];
  return exported;
}

const VARIANTS: [string, string, () => Json][] = [
  ['upper-cased as an inline policy name', UPPER, () => withInlinePolicy(UPPER)],
  ['lower-cased as a tag value', LOWER, () => withTag(LOWER)],
  ['upper-cased in an ARN', UPPER, () => withInlinePolicy(`arn:aws:s3:::${UPPER}/*`)],
  ['in base64 as a tag value', BASE64, () => withTag(BASE64)],
  ['upper-cased, in base64, as a tag value', BASE64_UPPER, () => withTag(BASE64_UPPER)],
];

beforeEach(() => clearSecrets());

describe.each(VARIANTS)('the external ID %s', (_name, copy, changed) => {
  it('is in no SNS message, response or log line of a scheduled run', async () => {
    serve(changed());

    const { result, error, everything } = await invoke({ action: 'check' });

    expect(error).toBeUndefined();
    // A tag is a LOW change: recorded and logged, not sent.
    expect(['notified', 'nothing-to-send']).toContain(result.status);
    expect(everything).not.toContain(copy);
  });

  it('is in no response or log line of a self-check', async () => {
    serve(changed());

    const { result, everything } = await invoke({ action: 'self-check', notify: true });

    expect(JSON.stringify(result.findings)).toContain('<secret:');
    expect(everything).not.toContain(copy);
  });
});

/** The export with no trust policy holding the external ID, so the run never meets it. */
function withoutExternalIdCondition(exported: Json): Json {
  for (const detail of exported.RoleDetailList) {
    for (const statement of [detail.AssumeRolePolicyDocument?.Statement ?? []].flat()) {
      if (statement.Condition?.StringEquals)
        delete statement.Condition.StringEquals['sts:ExternalId'];
    }
  }
  return exported;
}

describe('a guard without the lower-cased digest', () => {
  beforeEach(() => clearSecrets());

  it('masks a copy in other capitals once it has met the value in a trust policy', async () => {
    const { EXTERNAL_ID_FOLDED_SHA256: _folded, ...env } = ENV;
    serve(withInlinePolicy(UPPER));

    const { everything } = await invoke({ action: 'check' }, new MemoryTable(), 'req-1', env);

    expect(everything).not.toContain(UPPER);
  });

  it('shows a copy in other capitals as it stands when it never meets the value, the limit the README states', async () => {
    const { EXTERNAL_ID_FOLDED_SHA256: _folded, ...env } = ENV;
    serve(withoutExternalIdCondition(withInlinePolicy(UPPER)));

    const { everything } = await invoke({ action: 'check' }, new MemoryTable(), 'req-1', env);

    expect(everything).toContain(UPPER);
  });
});

describe('an AWS error quoting the external ID run together with other text', () => {
  beforeEach(() => clearSecrets());

  it.each([`Message ${EXTERNAL_ID}x too long`, `x${EXTERNAL_ID}`])(
    "leaves it out of the failed run's error once the run has met it in the trust policy: %#",
    async (text) => {
      const exported = cleanExport();
      role(exported, 'api').AttachedManagedPolicies.push({
        PolicyName: 'AdministratorAccess',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      });
      serve(exported);
      const refusal = Object.assign(new Error(text), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      });
      sns.on(PublishCommand).rejects(refusal);

      const { error, everything } = await invoke({ action: 'check' }, new MemoryTable());

      expect(error?.message).toContain('InvalidParameterException');
      expect(everything).not.toContain(EXTERNAL_ID);
    },
  );
});
