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
 * The shape of every region name AWS has opened: an area, for some partitions a country, `gov`
 * or an `iso` part, a compass direction and a number (`eu-west-1`, `ap-southeast-7`,
 * `us-gov-east-1`, `us-isob-east-1`, `eusc-de-east-1`). Checking the direction catches a typo
 * such as `eu-wset-1`. A region AWS names otherwise in future is refused until it is added
 * here. `scripts/package.mjs`, plain JavaScript run before any build, keeps a copy of this
 * pattern; a test holds the two equal.
 */
export const REGION_NAME =
  /^[a-z]{2,4}(-(gov|iso[a-z]?|[a-z]{2}))?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

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
