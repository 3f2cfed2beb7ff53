import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import * as clients from '../../../functions/engine/aws/clients';
import {
  iamRegionOf,
  partitionOf,
  REGION_NAME,
  urlSuffixOf,
} from '../../../functions/engine/partitions';
import { resolveTree } from './template/builders';

// One region of every partition: [region, partition, URL suffix, region of its IAM endpoint].
const PARTITIONS = [
  ['eu-west-1', 'aws', 'amazonaws.com', 'us-east-1'],
  ['cn-northwest-1', 'aws-cn', 'amazonaws.com.cn', 'cn-north-1'],
  ['us-gov-east-1', 'aws-us-gov', 'amazonaws.com', 'us-gov-west-1'],
  ['eusc-de-east-1', 'aws-eusc', 'amazonaws.eu', 'eusc-de-east-1'],
  ['us-iso-west-1', 'aws-iso', 'c2s.ic.gov', 'us-iso-east-1'],
  ['us-isob-east-1', 'aws-iso-b', 'sc2s.sgov.gov', 'us-isob-east-1'],
  ['eu-isoe-west-1', 'aws-iso-e', 'cloud.adc-e.uk', 'eu-isoe-west-1'],
  ['us-isof-east-1', 'aws-iso-f', 'csp.hci.ic.gov', 'us-isof-south-1'],
] as const;

/** Where the AWS SDK's own endpoint rules send an IAM call made from `region`. */
function iamEndpoint(region: string): { host: string; signingRegion: string } {
  const client = new IAMClient({
    region,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'fake' },
  });
  const endpoint = client.config.endpointProvider({
    Region: region,
    UseFIPS: false,
    UseDualStack: false,
  });
  const schemes = endpoint.properties?.authSchemes as { signingRegion: string }[];
  client.destroy();
  return { host: endpoint.url.hostname, signingRegion: schemes[0].signingRegion };
}

describe('partitions', () => {
  it.each(PARTITIONS)('puts %s in %s, under %s, with IAM in %s', (region, name, suffix, iam) => {
    expect(partitionOf(region)).toBe(name);
    expect(urlSuffixOf(name)).toBe(suffix);
    expect(iamRegionOf(name)).toBe(iam);
  });

  it('takes a region no partition claims to be in aws, as the AWS SDK does', () => {
    expect(partitionOf('xx-new-1')).toBe('aws');
    expect(urlSuffixOf('aws-unknown')).toBe('amazonaws.com');
    expect(iamRegionOf('aws-unknown')).toBe('us-east-1');
  });

  it.each(PARTITIONS)('agrees with the AWS SDK on where IAM is for %s', (region) => {
    const partition = partitionOf(region);

    const fromRegion = iamEndpoint(region);
    const fromIamRegion = iamEndpoint(iamRegionOf(partition));

    expect(fromRegion.host.endsWith(`.${urlSuffixOf(partition)}`)).toBe(true);
    expect(partitionOf(fromRegion.signingRegion)).toBe(partition);
    expect(fromIamRegion).toEqual(fromRegion);
  });

  it('is the table the AWS adapters use', () => {
    for (const [region, name] of PARTITIONS) {
      expect(clients.partitionOf(region)).toBe(name);
      expect(clients.iamRegionOf(name)).toBe(iamRegionOf(name));
    }
  });

  it('is the table the template engine derives AWS::Partition and AWS::URLSuffix from', () => {
    for (const [region, name, suffix] of PARTITIONS) {
      const value = resolveTree(
        [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::URLSuffix' }],
        {},
        {
          region,
        },
      );

      expect(value).toEqual([name, suffix]);
    }
  });

  it.each([
    ...new Set([
      ...PARTITIONS.flatMap(([region, , , iam]) => [region, iam]),
      'ap-southeast-7',
      'ca-west-1',
      'il-central-1',
    ]),
  ])('takes %s for a region name', (region) => {
    expect(REGION_NAME.test(region)).toBe(true);
  });

  it.each(['eu-wset-1', 'eu-west', 'eu-west-1a', 'EU-WEST-1', 'eu west 1', 'europe-west-1', ''])(
    'does not take %j for a region name',
    (text) => {
      expect(REGION_NAME.test(text)).toBe(false);
    },
  );

  it('is the region name pattern the package script keeps a copy of', () => {
    const script = readFileSync(join(__dirname, '../../../scripts/package.mjs'), 'utf8');

    const copy = /\nconst REGION =\s*\/(.+)\/;\n/.exec(script)?.[1];

    expect(copy).toBe(REGION_NAME.source);
  });
});
