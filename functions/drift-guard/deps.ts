/**
 * Builds the adapters one invocation uses, each with the SDK's own endpoint resolution (so
 * `AWS_ENDPOINT_URL` points them at a local server) and the shared client settings. CloudTrail
 * is asked in the partition's IAM region, where IAM's events are recorded; SNS in the topic's
 * region, which may differ from the stack's when an existing topic was given.
 */
import { iamRegionOf } from '../engine/aws/clients';
import { CloudFormationAdapter } from '../engine/aws/cloudformation';
import { CloudTrailAdapter } from '../engine/aws/cloudtrail';
import { DynamoDbAdapter } from '../engine/aws/dynamodb';
import { IamAdapter } from '../engine/aws/iam';
import { SnsAdapter } from '../engine/aws/sns';
import { runCheck } from '../engine/drift/check';
import type { RunDeps } from '../engine/drift/run';
import { trailHints } from '../engine/drift/trail-hints';
import type { Log } from '../engine/log';
import type { DriftGuardConfig } from './config';

export function createRunDeps(config: DriftGuardConfig, log: Log): RunDeps {
  const iam = IamAdapter.create({ region: iamRegionOf(config.partition) });
  const cloudformation = CloudFormationAdapter.create({ region: config.region });

  return {
    check: (options) => runCheck({ iam, cloudformation, log }, options),
    trail: CloudTrailAdapter.create({ region: iamRegionOf(config.partition) }),
    sns: SnsAdapter.create({ region: config.topicRegion }),
    db: DynamoDbAdapter.create({ region: config.region }),
    hints: trailHints,
    log,
  };
}
