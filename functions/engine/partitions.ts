/**
 * AWS partitions: which partition a region belongs to, the domain its endpoints use
 * (`AWS::URLSuffix`) and the region that holds its global IAM endpoint and IAM's CloudTrail
 * events. The one table the template engine's pseudo parameters and the AWS adapters share.
 *
 * A region whose prefix no partition claims is taken to be in `aws`, as the AWS SDK does: a
 * partition AWS opens later is then wrong here until it is added to the table.
 */

interface Partition {
  /** `aws-cn`, ... */
  readonly name: string;
  /** The start of every region name in the partition. */
  readonly regionPrefix: string;
  readonly urlSuffix: string;
  /** The region of the partition's global IAM endpoint, where IAM's CloudTrail events land. */
  readonly iamRegion: string;
}

const COMMERCIAL: Partition = {
  name: 'aws',
  regionPrefix: '',
  urlSuffix: 'amazonaws.com',
  iamRegion: 'us-east-1',
};

/** Every partition but `aws`; no prefix is the start of another, so order does not matter. */
const PARTITIONS: readonly Partition[] = [
  { name: 'aws-cn', regionPrefix: 'cn-', urlSuffix: 'amazonaws.com.cn', iamRegion: 'cn-north-1' },
  {
    name: 'aws-us-gov',
    regionPrefix: 'us-gov-',
    urlSuffix: 'amazonaws.com',
    iamRegion: 'us-gov-west-1',
  },
  {
    name: 'aws-eusc',
    regionPrefix: 'eusc-',
    urlSuffix: 'amazonaws.eu',
    iamRegion: 'eusc-de-east-1',
  },
  { name: 'aws-iso', regionPrefix: 'us-iso-', urlSuffix: 'c2s.ic.gov', iamRegion: 'us-iso-east-1' },
  {
    name: 'aws-iso-b',
    regionPrefix: 'us-isob-',
    urlSuffix: 'sc2s.sgov.gov',
    iamRegion: 'us-isob-east-1',
  },
  {
    name: 'aws-iso-e',
    regionPrefix: 'eu-isoe-',
    urlSuffix: 'cloud.adc-e.uk',
    iamRegion: 'eu-isoe-west-1',
  },
  {
    name: 'aws-iso-f',
    regionPrefix: 'us-isof-',
    urlSuffix: 'csp.hci.ic.gov',
    iamRegion: 'us-isof-south-1',
  },
];

/**
 * The partition a region belongs to.
 *
 * @example partitionOf('eu-isoe-west-1') // 'aws-iso-e'
 */
export function partitionOf(region: string): string {
  return byRegion(region).name;
}

/**
 * The domain of a partition's endpoints, as `AWS::URLSuffix` gives it; `amazonaws.com` for a
 * partition the table does not know.
 */
export function urlSuffixOf(partition: string): string {
  return byName(partition).urlSuffix;
}

/** The region of a partition's global IAM endpoint; `us-east-1` for one the table does not know. */
export function iamRegionOf(partition: string): string {
  return byName(partition).iamRegion;
}

function byRegion(region: string): Partition {
  return PARTITIONS.find((p) => region.startsWith(p.regionPrefix)) ?? COMMERCIAL;
}

function byName(name: string): Partition {
  return PARTITIONS.find((p) => p.name === name) ?? COMMERCIAL;
}
