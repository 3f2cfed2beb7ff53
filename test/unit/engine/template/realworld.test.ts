// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub text holds ${} on purpose
/**
 * The 16 real templates in ../shared/realworld, each resolved with a parameter file written for
 * it (test/fixtures/template/realworld). Every expected value here was written from reading the
 * template, not taken from the engine's output.
 */
import {
  promisedState,
  resolveTemplate,
  type StackContext,
} from '../../../../functions/engine/template';
import { isUnknown, UnknownValue } from '../../../../functions/engine/values';
import { describeWith } from '../../../helpers/requirements';
import {
  ACCOUNT,
  dig,
  realworld,
  realworldParameters,
  roleNamed,
  stackContext,
  statementsOf,
} from './builders';
import {
  DATABRICKS_CROSS_ACCOUNT_POLICY,
  DYNATRACE_MONITORING_POLICY,
  newRelicGranularPolicy,
  spotFinOpsPolicy,
} from './realworld-documents';

function resolveRealworld(file: string, overrides: Partial<StackContext> = {}) {
  const doc = realworld(file);
  const parameters = { ...realworldParameters(file), ...(overrides.parameters ?? {}) };
  return promisedState(doc, stackContext({ ...overrides, parameters }));
}

function unknownSource(value: unknown): string {
  if (!isUnknown(value))
    throw new Error(`expected an UnknownValue, received ${JSON.stringify(value)}`);
  return value.source;
}

const assumeRole = ['sts:AssumeRole'];

describeWith(['realworld'], 'realworld templates', () => {
  describe('coralogix-cloud-accounts-automatic.yaml', () => {
    const file = 'coralogix-cloud-accounts-automatic.yaml';

    it('promises three roles named from RoleName with -fh and -ms suffixes', () => {
      const state = resolveRealworld(file);

      expect(state.roles.map((role) => role.name)).toEqual([
        'coralogix-cloud-account-fh',
        'coralogix-cloud-account-ms',
        'coralogix-cloud-account',
      ]);
      expect(state.managedPolicies).toEqual([]);
      expect(state.notExpanded).toEqual([]);
    });

    it('trusts the AP3 ingestion role, keeping the leading zero of its account ID', () => {
      const state = resolveRealworld(file);

      expect(roleNamed(state, 'CoralogixAwsMetricsRole').trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::025066248247:role/coralogix-ingestion-ap3' },
            Action: assumeRole,
            Condition: { StringEquals: { 'sts:ExternalId': 's3cr3t-ext@4015' } },
          },
        ],
      });
    });

    it('drops the whole Condition block when no external ID secret is given', () => {
      const state = resolveRealworld(file, { parameters: { ExternalIdSecret: '' } });

      const statement = statementsOf(roleNamed(state, 'CoralogixAwsMetricsRole').trustPolicy)[0];
      expect(Object.keys(statement)).toEqual(['Effect', 'Principal', 'Action']);
    });

    it('trusts the custom account and suffix for CustomEndpoint', () => {
      const state = resolveRealworld(file, {
        parameters: {
          CoralogixRegion: 'CustomEndpoint',
          CustomAWSAccountId: '012345678901',
          CustomRoleSuffix: 'eu9',
        },
      });

      const statement = statementsOf(roleNamed(state, 'CoralogixAwsMetricsRole').trustPolicy)[0];
      expect(statement.Principal).toEqual({
        AWS: 'arn:aws:iam::012345678901:role/coralogix-ingestion-eu9',
      });
    });

    it('gives the main role its managed policies, tag and PassRole grants to its sibling roles', () => {
      const role = roleNamed(resolveRealworld(file), 'CoralogixAwsMetricsRole');

      expect(role.managedPolicyArns.map((entry) => entry.arn)).toEqual([
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'arn:aws:iam::aws:policy/AWSResourceExplorerFullAccess',
      ]);
      expect(role.tags).toEqual({ CoralogixCloudAccountTemplateVersion: '2' });
      const statements = statementsOf(role.inlinePolicies[0].document);
      expect(statements[4]).toEqual({
        Sid: 'PassCoralogixFirehoseServiceRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: `arn:aws:iam::${ACCOUNT}:role/coralogix-cloud-account-fh`,
        Condition: { StringEquals: { 'iam:PassedToService': 'firehose.amazonaws.com' } },
      });
    });

    it('promises the metric streams role its firehose inline policy in full', () => {
      const role = roleNamed(resolveRealworld(file), 'CoralogixMetricStreamsServiceRole');

      expect(role.inlinePolicies).toEqual([
        {
          name: 'CoralogixFirehosePutAccess',
          definedBy: { logicalId: 'CoralogixMetricStreamsServiceRole', type: 'AWS::IAM::Role' },
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
                Resource: `arn:aws:firehose:*:${ACCOUNT}:deliverystream/cx-*`,
              },
            ],
          },
        },
      ]);
    });
  });

  describe('coralogix-metrics-integration-role.yaml', () => {
    const file = 'coralogix-metrics-integration-role.yaml';

    it('keeps every digit of an unquoted account ID with a leading zero', () => {
      const role = roleNamed(resolveRealworld(file), 'CoralogixAwsMetricsRole');

      expect(role.name).toBe('coralogix-metrics');
      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::025066248247:role/coralogix-ingestion-ap3' },
            Action: assumeRole,
            Condition: { StringEquals: { 'sts:ExternalId': 'metrics-secret@4015' } },
          },
        ],
      });
    });

    it('keeps an unquoted all-zero account ID as twelve zeros', () => {
      const role = roleNamed(
        resolveRealworld(file, { parameters: { CoralogixRegion: 'CustomEndpoint' } }),
        'CoralogixAwsMetricsRole',
      );

      expect(dig(statementsOf(role.trustPolicy)[0], 'Principal', 'AWS')).toBe(
        'arn:aws:iam::000000000000:role/coralogix-ingestion-custom',
      );
    });

    it('prefers the custom account ID when one is given', () => {
      const role = roleNamed(
        resolveRealworld(file, { parameters: { CustomAWSAccountId: '123412341234' } }),
        'CoralogixAwsMetricsRole',
      );

      expect(dig(statementsOf(role.trustPolicy)[0], 'Principal', 'AWS')).toBe(
        'arn:aws:iam::123412341234:role/coralogix-ingestion-ap3',
      );
    });

    it('promises the metrics inline policy in full', () => {
      const role = roleNamed(resolveRealworld(file), 'CoralogixAwsMetricsRole');

      expect(role.inlinePolicies.map((policy) => policy.name)).toEqual(['CoralogixMetricsPolicy']);
      expect(role.inlinePolicies[0].document).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'tag:GetResources',
              'cloudwatch:GetMetricData',
              'cloudwatch:GetMetricStatistics',
              'cloudwatch:ListMetrics',
              'apigateway:GET',
              'autoscaling:DescribeAutoScalingGroups',
              'aps:ListWorkspaces',
              'dms:DescribeReplicationInstances',
              'dms:DescribeReplicationTasks',
              'ec2:DescribeTransitGatewayAttachments',
              'ec2:DescribeSpotFleetRequests',
              'ec2:DescribeInstanceTypes',
              'storagegateway:ListGateways',
              'storagegateway:ListTagsForResource',
              'rds:DescribeDbInstances',
              'rds:DescribeReservedDbInstances',
              'rds:ListTagsForResource',
              'ecs:ListClusters',
              'ecs:DescribeClusters',
              'ecs:ListServices',
              'ecs:DescribeServices',
              'ecs:ListContainerInstances',
              'ecs:DescribeContainerInstances',
              'elasticache:DescribeCacheClusters',
              'elasticache:ListTagsForResource',
            ],
            Resource: '*',
          },
        ],
      });
    });
  });

  describe('crowdstrike-cspm-v2.json', () => {
    const file = 'crowdstrike-cspm-v2.json';

    it('promises four roles with sensor management on, each with the permissions boundary', () => {
      const state = resolveRealworld(file);

      expect(state.roles.map((role) => role.name)).toEqual([
        'CrowdStrikeCSPMReader',
        'CrowdStrikeCSPMEventBridge',
        'CrowdStrikeSensorManagement',
        'CrowdStrikeSensorManagementOrchestrator',
      ]);
      for (const role of state.roles) {
        expect(role.permissionsBoundary).toBe(`arn:aws:iam::${ACCOUNT}:policy/ConnectorBoundary`);
      }
    });

    it('joins the CrowdStrike principal and requires the external ID', () => {
      const role = roleNamed(resolveRealworld(file), 'CrowdStrikeCSPMRole');

      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::292230061137:role/CrowdStrikeCSPMConnector' },
            Condition: { StringEquals: { 'sts:ExternalId': 'cs-external-id-123' } },
            Action: assumeRole,
          },
        ],
      });
      expect(role.managedPolicyArns.map((entry) => entry.arn)).toEqual([
        'arn:aws:iam::aws:policy/SecurityAudit',
      ]);
    });

    it('includes the secret-reading statement of the orchestrator only in secret mode', () => {
      const role = roleNamed(resolveRealworld(file), 'CrowdStrikeSensorManagementOrchestratorRole');

      expect(role.inlinePolicies[0]).toEqual({
        name: 'sensor-management-orchestrator-lambda-ssm-send-command',
        definedBy: {
          logicalId: 'CrowdStrikeSensorManagementOrchestratorRole',
          type: 'AWS::IAM::Role',
        },
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['ssm:SendCommand'],
              Resource: ['arn:aws:ssm:*:*:document/*', 'arn:aws:ec2:*:*:instance/*'],
            },
            {
              Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
              Resource: [
                'arn:aws:logs:*:*:log-group:/aws/lambda/cs-*',
                'arn:aws:logs:*:*:log-group:/aws/lambda/cs-*:log-stream:*',
              ],
              Effect: 'Allow',
              Sid: 'Logging',
            },
            {
              Sid: 'GetFalconCredentials',
              Action: ['secretsmanager:GetSecretValue'],
              Resource: [
                `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:/CrowdStrike/CSPM/SensorManagement/FalconAPICredentials-??????`,
              ],
              Effect: 'Allow',
            },
          ],
        },
      });
    });

    it('removes the boundary and the sensor roles with the defaults', () => {
      const state = resolveRealworld(file, {
        parameters: { PermissionsBoundary: '', EnableSensorManagement: 'false' },
      });

      expect(state.roles.map((role) => role.logicalId)).toEqual([
        'CrowdStrikeCSPMRole',
        'CrowdStrikeEventBridgeRole',
      ]);
      expect(state.roles.map((role) => role.permissionsBoundary)).toEqual([null, null]);
    });

    it('compares the boolean true of a condition with the text "true" as CloudFormation does', () => {
      const state = resolveRealworld(file, { parameters: { EnableIOA: 'false' } });

      expect(state.roles.map((role) => role.logicalId)).not.toContain('CrowdStrikeEventBridgeRole');
    });

    it('never shows the NoEcho client secret', () => {
      const state = resolveRealworld(file);

      expect(JSON.stringify(state)).not.toContain('falcon-client-secret-canary');
    });
  });

  describe('crowdstrike-eks-root-roles.yaml', () => {
    const file = 'crowdstrike-eks-root-roles.yaml';

    it('promises the three roles named by their parameters without a boundary', () => {
      const state = resolveRealworld(file);

      expect(state.roles.map((role) => [role.name, role.permissionsBoundary])).toEqual([
        ['crowdstrike-eks-eventbridge-role', null],
        ['crowdstrike-eks-execution-role', null],
        ['crowdstrike-eks-codebuild-role', null],
      ]);
    });

    it('reads an unquoted 2012-10-17 as the policy version text', () => {
      const role = roleNamed(resolveRealworld(file), 'EKSEventBridgeRole');

      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      });
      expect(role.inlinePolicies).toEqual([
        {
          name: 'crowdstrike-eks-eb-role',
          definedBy: { logicalId: 'EKSEventBridgeRole', type: 'AWS::IAM::Role' },
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'events:PutEvents',
                Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/crowdstrike-eks-eventbus`,
              },
            ],
          },
        },
      ]);
    });

    it('applies a given permissions boundary through Fn::If to every role', () => {
      const state = resolveRealworld(file, { parameters: { PermissionsBoundary: 'eks-boundary' } });

      expect(new Set(state.roles.map((role) => role.permissionsBoundary))).toEqual(
        new Set([`arn:aws:iam::${ACCOUNT}:policy/eks-boundary`]),
      );
    });

    it('keeps a lone $ of a Sub string as text', () => {
      const role = roleNamed(resolveRealworld(file), 'EKSCodeBuildRole');

      const eks = role.inlinePolicies.find((policy) => policy.name === 'codebuild-eks-policy');
      expect(statementsOf(eks?.document)[1].Resource).toEqual([
        'arn:aws:eks:*:*:cluster/*',
        `arn:aws:eks:*:*:access-entry/*/crowdstrike-eks-codebuild-role/${ACCOUNT}/$/*`,
      ]);
      expect(role.inlinePolicies.map((policy) => policy.name)).toEqual([
        'codebuild-base-policy',
        'codebuild-s3-readonly-policy',
        'codebuild-eks-policy',
      ]);
    });
  });

  describe('databricks-cross-account-role.yaml', () => {
    const file = 'databricks-cross-account-role.yaml';

    it('promises the cross-account role trusting the Databricks account with the external ID', () => {
      const state = resolveRealworld(file);

      expect(state.roles).toHaveLength(1);
      const role = state.roles[0];
      expect(role.name).toBe('databricks-cross-account');
      expect(role.trustPolicy).toEqual({
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'db-ext-0001' } },
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::414351767826:root' },
            Sid: '',
          },
        ],
        Version: '2012-10-17',
      });
      expect(role.tags).toEqual({ Name: 'workspace-prod_connector-IAMRole' });
    });

    it.each([
      [
        { IAMRole: 'bad_name' },
        "Parameters.IAMRole: the value 'bad_name' does not match the AllowedPattern ^[0-9a-zA-Z]+([0-9a-zA-Z-]*[0-9a-zA-Z])*$",
      ],
      [
        { BucketName: 'ab' },
        "Parameters.BucketName: the value 'ab' is 2 characters, fewer than MinLength 3",
      ],
      [
        { ExternalID: '' },
        "Parameters.ExternalID: the value '' is 0 characters, fewer than MinLength 1",
      ],
    ])(
      'refuses %j as CloudFormation would, naming the parameter and the rule',
      (given, message) => {
        expect(() => resolveRealworld(file, { parameters: given })).toThrow(message);
      },
    );

    it('promises its inline policy in full, the unquoted Version read as text', () => {
      const role = resolveRealworld(file).roles[0];

      expect(role.inlinePolicies).toEqual([
        {
          name: 'databricks-cross-account-iam-role-policy',
          definedBy: { logicalId: role.logicalId, type: 'AWS::IAM::Role' },
          document: DATABRICKS_CROSS_ACCOUNT_POLICY,
        },
      ]);
      expect(statementsOf(role.inlinePolicies[0].document)[0].Action).toHaveLength(52);
    });
  });

  describe('datadog-agentless-delegate-role.yaml', () => {
    const file = 'datadog-agentless-delegate-role.yaml';
    const resources = [
      {
        logicalId: 'ScannerDelegateRole',
        physicalId: 'DatadogAgentlessScannerDelegateRole',
        type: 'AWS::IAM::Role',
      },
      {
        logicalId: 'LambdaExecutionRoleDatadogAgentlessAPICall',
        physicalId: 'connector-LambdaExecutionRoleDatadogAg-1A2B3C4D5E6F',
        type: 'AWS::IAM::Role',
      },
      {
        logicalId: 'ScannerDelegateRoleOrchestratorPolicy',
        physicalId: `arn:aws:iam::${ACCOUNT}:policy/connector-ScannerDelegateRoleOrchestratorPolicy-AAAA`,
        type: 'AWS::IAM::ManagedPolicy',
      },
      {
        logicalId: 'ScannerDelegateRoleWorkerPolicy',
        physicalId: `arn:aws:iam::${ACCOUNT}:policy/connector-ScannerDelegateRoleWorkerPolicy-BBBB`,
        type: 'AWS::IAM::ManagedPolicy',
      },
      {
        logicalId: 'ScannerDelegateRoleWorkerDSPMPolicy',
        physicalId: `arn:aws:iam::${ACCOUNT}:policy/connector-ScannerDelegateRoleWorkerDSPMPolicy-CCCC`,
        type: 'AWS::IAM::ManagedPolicy',
      },
    ];

    it('trusts any principal whose ARN is one of the scanner roles of the list parameter', () => {
      const role = roleNamed(resolveRealworld(file), 'ScannerDelegateRole');

      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EC2AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Condition: {
              ArnLike: {
                'aws:PrincipalArn': [
                  'arn:aws:iam::464622532012:role/DatadogAgentlessScanner',
                  'arn:aws:iam::464622532012:role/DatadogAgentlessScannerEU',
                ],
              },
              StringEquals: {
                'aws:PrincipalTag/Datadog': 'true',
                'aws:PrincipalTag/DatadogAgentlessScanner': 'true',
              },
            },
            Action: 'sts:AssumeRole',
          },
        ],
      });
      expect(role.tags).toEqual({ DatadogAgentlessScanner: 'true', Datadog: 'true' });
    });

    it('leaves generated names unknown without the stack resources', () => {
      const state = resolveRealworld(file);

      const lambdaRole = roleNamed(state, 'LambdaExecutionRoleDatadogAgentlessAPICall');
      expect(unknownSource(lambdaRole.name)).toBe('Ref LambdaExecutionRoleDatadogAgentlessAPICall');
      expect((lambdaRole.name as UnknownValue).reason).toMatch(/describe-stack-resources/);
      expect(state.managedPolicies.map((policy) => unknownSource(policy.arn))).toEqual([
        'Ref ScannerDelegateRoleOrchestratorPolicy',
        'Ref ScannerDelegateRoleWorkerPolicy',
        'Ref ScannerDelegateRoleWorkerDSPMPolicy',
      ]);
    });

    it('names generated roles and policies from the stack resources', () => {
      const state = resolveRealworld(file, { resources });

      const delegate = roleNamed(state, 'ScannerDelegateRole');
      expect(delegate.managedPolicyArns.map((entry) => entry.arn)).toEqual(
        resources.slice(2).map((resource) => resource.physicalId),
      );
      expect(state.managedPolicies.map((policy) => [policy.name, policy.attachedTo.roles])).toEqual(
        [
          [
            'connector-ScannerDelegateRoleOrchestratorPolicy-AAAA',
            ['DatadogAgentlessScannerDelegateRole'],
          ],
          [
            'connector-ScannerDelegateRoleWorkerPolicy-BBBB',
            ['DatadogAgentlessScannerDelegateRole'],
          ],
          [
            'connector-ScannerDelegateRoleWorkerDSPMPolicy-CCCC',
            ['DatadogAgentlessScannerDelegateRole'],
          ],
        ],
      );
    });

    it('adds the RolePolicy to the role it names by Ref, in full', () => {
      const role = roleNamed(
        resolveRealworld(file, { resources }),
        'LambdaExecutionRoleDatadogAgentlessAPICall',
      );

      expect(role.name).toBe('connector-LambdaExecutionRoleDatadogAg-1A2B3C4D5E6F');
      expect(role.inlinePolicies).toEqual([
        {
          name: 'SecurityAuditPolicyAttachmentPermissions',
          definedBy: {
            logicalId: 'SecurityAuditPolicyAttachmentPermissions',
            type: 'AWS::IAM::RolePolicy',
          },
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['iam:ListAttachedRolePolicies'],
                Resource: `arn:aws:iam::${ACCOUNT}:role/DatadogIntegrationRole`,
              },
              {
                Effect: 'Allow',
                Action: ['iam:AttachRolePolicy'],
                Resource: `arn:aws:iam::${ACCOUNT}:role/DatadogIntegrationRole`,
                Condition: {
                  ArnEquals: { 'iam:PolicyARN': ['arn:aws:iam::aws:policy/SecurityAudit'] },
                },
              },
            ],
          },
        },
      ]);
    });

    it('drops the RolePolicy when no integration role name is given', () => {
      const state = resolveRealworld(file, { parameters: { DatadogIntegrationRoleName: '' } });

      expect(roleNamed(state, 'LambdaExecutionRoleDatadogAgentlessAPICall').inlinePolicies).toEqual(
        [],
      );
    });

    it('checks each scanner role ARN of the list against its pattern, and a NoEcho key unseen', () => {
      const badArn = () =>
        resolveRealworld(file, {
          parameters: {
            ScannerInstanceRoleARN:
              'arn:aws:iam::464622532012:role/DatadogAgentlessScanner,arn:aws:iam::46462253:role/short',
          },
        });
      const badKey = () =>
        resolveRealworld(file, { parameters: { DatadogAPIKey: 'canary-not-hex-key' } });

      expect(badArn).toThrow(
        "Parameters.ScannerInstanceRoleARN: the value 'arn:aws:iam::46462253:role/short' does not match the AllowedPattern arn:aws:iam::[0-9]{12}:role/.*",
      );
      expect(badKey).toThrow(
        'Parameters.DatadogAPIKey: the value given does not match the AllowedPattern [0-9a-f]{32}',
      );
    });

    it('never shows the NoEcho API and application keys', () => {
      const text = JSON.stringify(resolveRealworld(file, { resources }));

      expect(text).not.toContain('0123456789abcdef0123456789abcdef');
      expect(text).not.toContain('fedcba9876543210fedcba9876543210fedcba98');
    });
  });

  describe('datadog-integration-role-legacy.yaml', () => {
    const file = 'datadog-integration-role-legacy.yaml';

    it('reports the Fn::Transform policies as named unknowns and the role as not expanded', () => {
      const state = resolveRealworld(file);

      const role = roleNamed(state, 'DatadogIntegrationRole');
      expect(role.inlinePolicies.map((policy) => policy.name)).toEqual([
        'DatadogAWSIntegrationPolicy',
        expect.any(UnknownValue),
        expect.any(UnknownValue),
      ]);
      expect(unknownSource(role.inlinePolicies[1].document)).toBe('Fn::Transform DatadogPolicy');
      expect(state.notExpanded).toEqual([
        {
          logicalId: 'DatadogIntegrationRole',
          type: 'AWS::IAM::Role',
          reason: expect.stringContaining(
            'Fn::Transform DatadogPolicy at Resources.DatadogIntegrationRole.Properties.Policies[1]',
          ),
        },
      ]);
    });

    it('attaches the four conditional managed policies through their Roles and SecurityAudit through If', () => {
      const state = resolveRealworld(file);

      const role = roleNamed(state, 'DatadogIntegrationRole');
      expect(role.managedPolicyArns).toEqual([
        {
          arn: 'arn:aws:iam::aws:policy/SecurityAudit',
          definedBy: { logicalId: 'DatadogIntegrationRole', type: 'AWS::IAM::Role' },
        },
        ...[1, 2, 3, 4].map((n) => ({
          arn: `arn:aws:iam::${ACCOUNT}:policy/DatadogIntegrationRole-ManagedPolicy-${n}`,
          definedBy: {
            logicalId: `DatadogIntegrationRoleManagedPolicy${n}`,
            type: 'AWS::IAM::ManagedPolicy',
          },
        })),
      ]);
      expect(state.managedPolicies.map((policy) => [policy.name, policy.attachedTo.roles])).toEqual(
        [1, 2, 3, 4].map((n) => [
          `DatadogIntegrationRole-ManagedPolicy-${n}`,
          ['DatadogIntegrationRole'],
        ]),
      );
    });

    it('promises the core statement and no managed policies with BasePermissions Core', () => {
      const state = resolveRealworld(file, {
        parameters: { BasePermissions: 'Core', CloudSecurityPostureManagementPermissions: 'false' },
      });

      const role = roleNamed(state, 'DatadogIntegrationRole');
      expect(state.managedPolicies).toEqual([]);
      expect(role.managedPolicyArns).toEqual([]);
      expect(role.inlinePolicies[0]).toEqual({
        name: 'DatadogAWSIntegrationPolicy',
        definedBy: { logicalId: 'DatadogIntegrationRole', type: 'AWS::IAM::Role' },
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Resource: '*',
              Action: [
                'cloudwatch:Get*',
                'cloudwatch:List*',
                'ec2:Describe*',
                'tag:GetResources',
                'tag:GetTagKeys',
                'tag:GetTagValues',
              ],
            },
          ],
        },
      });
    });

    it('trusts the Datadog account root with the external ID', () => {
      const role = roleNamed(resolveRealworld(file), 'DatadogIntegrationRole');

      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::464622532012:root' },
            Action: assumeRole,
            Condition: { StringEquals: { 'sts:ExternalId': 'dd-external-id' } },
          },
        ],
      });
    });
  });

  describe('datadog-organizations.yaml', () => {
    const file = 'datadog-organizations.yaml';

    it('trusts the site account with an external ID that is a named unknown of the custom resource', () => {
      const role = roleNamed(resolveRealworld(file), 'DatadogIntegrationRole');

      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::464622532012:root' },
            Action: ['sts:AssumeRole'],
            Condition: { StringEquals: { 'sts:ExternalId': expect.any(UnknownValue) } },
          },
        ],
      });
      const externalId = dig(statementsOf(role.trustPolicy)[0], 'Condition', 'StringEquals');
      expect(unknownSource(dig(externalId, 'sts:ExternalId'))).toBe(
        'Custom::DatadogAWSAccountIntegration.ExternalId',
      );
    });

    it('picks the GovCloud vendor account in the GovCloud partition', () => {
      const state = resolveRealworld(file, {
        region: 'us-gov-west-1',
        parameters: { DatadogSite: 'ddog-gov.com' },
      });

      const statement = statementsOf(roleNamed(state, 'DatadogIntegrationRole').trustPolicy)[0];
      expect(statement.Principal).toEqual({ AWS: 'arn:aws-us-gov:iam::065115117704:root' });
    });

    it('picks the commercial account of a gov site outside GovCloud', () => {
      const state = resolveRealworld(file, { parameters: { DatadogSite: 'us2.ddog-gov.com' } });

      const statement = statementsOf(roleNamed(state, 'DatadogIntegrationRole').trustPolicy)[0];
      expect(statement.Principal).toEqual({ AWS: 'arn:aws:iam::382742775718:root' });
    });

    it('promises three roles, two with generated names, and the permissions policy in full', () => {
      const state = resolveRealworld(file);

      expect(state.roles.map((role) => role.logicalId)).toEqual([
        'DatadogAPIHandlerLambdaExecutionRole',
        'DatadogAttachIntegrationPermissionsLambdaExecutionRole',
        'DatadogIntegrationRole',
      ]);
      const attach = roleNamed(state, 'DatadogAttachIntegrationPermissionsLambdaExecutionRole');
      expect(unknownSource(attach.name)).toBe(
        'Ref DatadogAttachIntegrationPermissionsLambdaExecutionRole',
      );
      expect(attach.inlinePolicies).toEqual([
        {
          name: 'datadog-aws-integration-iam-permissions-DatadogIntegrationRole',
          definedBy: {
            logicalId: 'DatadogAttachIntegrationPermissionsLambdaExecutionRole',
            type: 'AWS::IAM::Role',
          },
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'iam:CreatePolicy',
                  'iam:DeletePolicy',
                  'iam:DeleteRolePolicy',
                  'iam:AttachRolePolicy',
                  'iam:DetachRolePolicy',
                  'iam:PutRolePolicy',
                ],
                Resource: [
                  `arn:aws:iam::${ACCOUNT}:role/DatadogIntegrationRole`,
                  `arn:aws:iam::${ACCOUNT}:policy/datadog-aws-integration-resource-collection-permissions-*`,
                  `arn:aws:iam::${ACCOUNT}:policy/datadog-aws-integration-instrumentation-permissions-*`,
                  'arn:aws:iam::aws:policy/SecurityAudit',
                ],
              },
            ],
          },
        },
      ]);
    });

    it('attaches SecurityAudit only while resource collection is on', () => {
      const on = roleNamed(resolveRealworld(file), 'DatadogIntegrationRole');
      const off = roleNamed(
        resolveRealworld(file, { parameters: { DisableResourceCollection: 'true' } }),
        'DatadogIntegrationRole',
      );

      expect(on.managedPolicyArns.map((entry) => entry.arn)).toEqual([
        'arn:aws:iam::aws:policy/SecurityAudit',
      ]);
      expect(off.managedPolicyArns).toEqual([]);
    });

    it('keeps the NoEcho keys as secrets that never show', () => {
      const text = JSON.stringify(resolveRealworld(file));

      expect(text).not.toContain('canary-api-key-5f2b');
      expect(text).not.toContain('canary-app-key-9c1d');
    });
  });

  describe('datadog-policy-macro.yaml', () => {
    it('promises no role and reports the SAM function, whose role SAM makes, as not expanded', () => {
      const state = resolveRealworld('datadog-policy-macro.yaml');

      expect(state.roles).toEqual([]);
      expect(state.notExpanded).toEqual([
        {
          logicalId: 'DatadogPolicyMacroMacroFunction',
          type: 'AWS::Serverless::Function',
          reason: expect.stringMatching(/SAM creates this function.*execution role/),
        },
      ]);
    });
  });

  describe('dynatrace-monitored-account-role.yaml', () => {
    const file = 'dynatrace-monitored-account-role.yaml';

    it('trusts a role ARN and a bare account ID together', () => {
      const role = roleNamed(resolveRealworld(file), 'MonitoringRole');

      expect(role.name).toBe('Dynatrace_monitoring_role');
      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: ['arn:aws:iam::210987654321:role/Dynatrace_ActiveGate_role', '509560245411'],
            },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'dt-external-id' } },
          },
        ],
      });
    });

    it('attaches its named managed policy by Ref (it has no inline policy)', () => {
      const state = resolveRealworld(file);

      const arn = `arn:aws:iam::${ACCOUNT}:policy/Dynatrace_monitoring_policy`;
      expect(
        roleNamed(state, 'MonitoringRole').managedPolicyArns.map((entry) => entry.arn),
      ).toEqual([arn]);
      expect(roleNamed(state, 'MonitoringRole').inlinePolicies).toEqual([]);
      expect(state.managedPolicies).toHaveLength(1);
      const policy = state.managedPolicies[0];
      expect([policy.name, policy.arn, policy.attachedTo.roles]).toEqual([
        'Dynatrace_monitoring_policy',
        arn,
        ['Dynatrace_monitoring_role'],
      ]);
      expect(policy.document).toEqual(DYNATRACE_MONITORING_POLICY);
      expect(statementsOf(policy.document)[0].Action).toHaveLength(84);
    });
  });

  describe('newrelic-ct-stack-set-cfct.yaml', () => {
    const file = 'newrelic-ct-stack-set-cfct.yaml';

    it('reads a quoted description whose lines are not indented under its key', () => {
      expect(() => realworld(file)).not.toThrow();
    });

    it('promises the custom-policy role trusting the New Relic account from an unquoted default', () => {
      const state = resolveRealworld(file);

      expect(state.roles.map((role) => role.logicalId)).toEqual(['NewRelicCustomPolicyRole']);
      const role = state.roles[0];
      expect(role.name).toBe('NewRelicIntegrationRole_2837465');
      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::754728514883:root' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': '2837465' } },
          },
        ],
      });
    });

    it('attaches both named managed policies; the granular one scopes every ARN to the account', () => {
      const state = resolveRealworld(file);

      expect(state.roles[0].managedPolicyArns.map((entry) => entry.arn)).toEqual([
        `arn:aws:iam::${ACCOUNT}:policy/NewRelicIntegrationRole-GranularResources`,
        `arn:aws:iam::${ACCOUNT}:policy/NewRelicIntegrationRole-GenericResources`,
      ]);
      const granular = state.managedPolicies.find(
        (policy) => policy.logicalId === 'NewRelicCustomPolicyGranular',
      );
      expect(granular?.document).toEqual(newRelicGranularPolicy(ACCOUNT));
      expect(granular?.attachedTo.roles).toEqual(['NewRelicIntegrationRole_2837465']);
      const statement = statementsOf(granular?.document)[0];
      expect([dig(statement, 'Action', 'length'), dig(statement, 'Resource', 'length')]).toEqual([
        66, 25,
      ]);
      const generic = state.managedPolicies.find(
        (policy) => policy.logicalId === 'NewRelicCustomPolicyGeneric',
      );
      const genericStatement = statementsOf(generic?.document)[0];
      expect([
        genericStatement.Sid,
        genericStatement.Resource,
        dig(genericStatement, 'Action', 'length'),
      ]).toEqual(['Integration2', '*', 102]);
      expect(generic?.attachedTo.roles).toEqual(['NewRelicIntegrationRole_2837465']);
    });

    it('promises the ReadOnlyAccess role instead when the policy name is empty', () => {
      const state = resolveRealworld(file, { parameters: { PolicyName: '' } });

      expect(state.roles.map((role) => role.logicalId)).toEqual(['NewRelicDefaultPolicyRole']);
      expect(state.roles[0].managedPolicyArns.map((entry) => entry.arn)).toEqual([
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ]);
      expect(state.managedPolicies).toEqual([]);
    });
  });

  describe('plain-aws-config.yaml', () => {
    const file = 'plain-aws-config.yaml';
    const resources = [
      {
        logicalId: 'ConfigBucket',
        physicalId: 'connector-configbucket-1x2y3z',
        type: 'AWS::S3::Bucket',
      },
      {
        logicalId: 'ConfigRole',
        physicalId: 'connector-ConfigRole-9QWERTY',
        type: 'AWS::IAM::Role',
      },
      {
        logicalId: 'LambdaExecutionRole',
        physicalId: 'connector-LambdaExecutionRole-ASDF',
        type: 'AWS::IAM::Role',
      },
    ];

    it('builds the Config role policy from the bucket name the stack reports, in full', () => {
      const role = roleNamed(resolveRealworld(file, { resources }), 'ConfigRole');

      expect(role.name).toBe('connector-ConfigRole-9QWERTY');
      expect(role.arn).toBe(`arn:aws:iam::${ACCOUNT}:role/connector-ConfigRole-9QWERTY`);
      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: ['config.amazonaws.com'] }, Action: assumeRole },
        ],
      });
      expect(role.managedPolicyArns.map((entry) => entry.arn)).toEqual([
        'arn:aws:iam::aws:policy/service-role/AWS_ConfigRole',
      ]);
      expect(role.inlinePolicies[0].document).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:GetBucketAcl',
            Resource: 'arn:aws:s3:::connector-configbucket-1x2y3z',
          },
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::connector-configbucket-1x2y3z/AWSLogs/${ACCOUNT}/*`,
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
          },
          { Effect: 'Allow', Action: 'config:Put*', Resource: '*' },
        ],
      });
    });

    it('selects the volume zone from the supplied zones, and names the lookup without them', () => {
      const doc = realworld(file);
      const zoneOf = (ctx: Partial<StackContext>) =>
        resolveTemplate(doc, stackContext(ctx)).resources.Ec2Volume.properties.AvailabilityZone;

      expect(zoneOf({ availabilityZones: ['us-east-1c', 'us-east-1d'] })).toBe('us-east-1c');
      expect(unknownSource(zoneOf({}))).toBe('Fn::GetAZs us-east-1');
    });

    it('leaves the bucket ARN unknown, naming the bucket, without the stack resources', () => {
      const role = roleNamed(resolveRealworld(file), 'ConfigRole');

      const statements = statementsOf(role.inlinePolicies[0].document);
      expect(unknownSource(statements[0].Resource)).toBe('Ref ConfigBucket');
      expect(unknownSource(role.name)).toBe('Ref ConfigRole');
    });
  });

  describe('plain-aws-firehose-delivery-stream.yaml', () => {
    const file = 'plain-aws-firehose-delivery-stream.yaml';

    it('guards the firehose principal with the account ID as external ID', () => {
      const role = roleNamed(resolveRealworld(file), 'DeliveryRole');

      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: '',
            Effect: 'Allow',
            Principal: { Service: 'firehose.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': ACCOUNT } },
          },
        ],
      });
    });

    it('promises the delivery policy in full', () => {
      const role = roleNamed(resolveRealworld(file), 'DeliveryRole');

      expect(role.inlinePolicies).toEqual([
        {
          name: 'firehose_delivery_policy',
          definedBy: { logicalId: 'DeliveryRole', type: 'AWS::IAM::Role' },
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  's3:AbortMultipartUpload',
                  's3:GetBucketLocation',
                  's3:GetObject',
                  's3:ListBucket',
                  's3:ListBucketMultipartUploads',
                  's3:PutObject',
                ],
                Resource: [
                  'arn:aws:s3:::firehose-destination',
                  'arn:aws:s3:::firehose-destination/*',
                ],
              },
              {
                Effect: 'Allow',
                Action: ['logs:PutLogEvents'],
                Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/kinesisfirehose/firehose-errors:*`,
              },
            ],
          },
        },
      ]);
    });
  });

  describe('plain-aws-neptune.yaml', () => {
    const file = 'plain-aws-neptune.yaml';

    it('promises the Neptune role with its two managed policies by Ref', () => {
      const state = resolveRealworld(file);

      const role = roleNamed(state, 'NeptuneRole');
      expect(role.name).toBe('dev-appname-neptune-iam-role-us-east-1');
      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: ['monitoring.rds.amazonaws.com', 'rds.amazonaws.com'] },
            Action: 'sts:AssumeRole',
          },
        ],
      });
      expect(role.managedPolicyArns.map((entry) => entry.arn)).toEqual([
        `arn:aws:iam::${ACCOUNT}:policy/dev-appname-neptune-cw-policy-us-east-1`,
        `arn:aws:iam::${ACCOUNT}:policy/dev-appname-neptune-s3-policy-us-east-1`,
      ]);
    });

    it('takes the VPC and subnets from supplied exports and names each unsupplied one', () => {
      const doc = realworld(file);
      const parameters = realworldParameters(file);
      const exports = { 'vpc-VPCID': 'vpc-0abc', 'vpc-PrivateSubnet1': 'subnet-1' };

      const resolved = resolveTemplate(doc, stackContext({ parameters, exports }));

      expect(resolved.resources.NeptuneDBSG.properties.VpcId).toBe('vpc-0abc');
      const subnets = resolved.resources.NeptuneDBSubnetGroup.properties.SubnetIds as unknown[];
      expect([subnets[0], unknownSource(subnets[1])]).toEqual([
        'subnet-1',
        'Fn::ImportValue vpc-PrivateSubnet2',
      ]);
    });

    it('promises the S3 managed policy in full (the template has no inline policy)', () => {
      const state = resolveRealworld(file);

      const s3 = state.managedPolicies.find((policy) => policy.logicalId === 'NeptuneS3Policy');
      expect(s3).toEqual({
        logicalId: 'NeptuneS3Policy',
        name: 'dev-appname-neptune-s3-policy-us-east-1',
        path: '/',
        arn: `arn:aws:iam::${ACCOUNT}:policy/dev-appname-neptune-s3-policy-us-east-1`,
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AllowNeptuneAccessToS3',
              Effect: 'Allow',
              Action: ['s3:Get*', 's3:List*'],
              Resource: ['arn:aws:s3:::*'],
            },
          ],
        },
        attachedTo: { roles: ['dev-appname-neptune-iam-role-us-east-1'], users: [], groups: [] },
      });
    });

    it('reads the unquoted Yes and No of UploadAuditLogs as true and false; false drops the role', () => {
      const refused = () => resolveRealworld(file, { parameters: { UploadAuditLogs: 'No' } });
      const state = resolveRealworld(file, { parameters: { UploadAuditLogs: 'false' } });

      expect(refused).toThrow(
        "Parameters.UploadAuditLogs: the value 'No' is not one of the allowed values true, false",
      );
      expect(state.roles).toEqual([]);
      expect(
        state.managedPolicies.map((policy) => [policy.logicalId, policy.attachedTo.roles]),
      ).toEqual([
        ['NeptuneCloudWatchPolicy', []],
        ['NeptuneS3Policy', []],
      ]);
    });
  });

  describe('spot-eco-finops-restricted-read-only.json', () => {
    const file = 'spot-eco-finops-restricted-read-only.json';

    it('trusts both Spot root principals with the external ID', () => {
      const role = roleNamed(resolveRealworld(file), 'SpotFinOpsRole');

      expect(role.name).toBe('SpotByNetApp_Finops_ReadOnly');
      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Principal: {
              AWS: ['arn:aws:iam::884866656237:root', 'arn:aws:iam::627743545735:root'],
            },
            Effect: 'Allow',
            Condition: { StringEquals: { 'sts:ExternalId': 'spot-external-id' } },
          },
        ],
      });
    });

    it('attaches the named policy whose bucket statements join the CUR bucket name', () => {
      const state = resolveRealworld(file);

      const arn = `arn:aws:iam::${ACCOUNT}:policy/SpotByNetApp_Finops_ReadOnly_Policy`;
      expect(
        roleNamed(state, 'SpotFinOpsRole').managedPolicyArns.map((entry) => entry.arn),
      ).toEqual([arn]);
      expect(state.managedPolicies.map((policy) => [policy.name, policy.attachedTo.roles])).toEqual(
        [['SpotByNetApp_Finops_ReadOnly_Policy', ['SpotByNetApp_Finops_ReadOnly']]],
      );
      expect(state.managedPolicies[0].document).toEqual(spotFinOpsPolicy('cur-reports'));
    });
  });

  describe('sumologic-cloudtrail-benchmark-sam.yaml', () => {
    const file = 'sumologic-cloudtrail-benchmark-sam.yaml';

    it('falls back to the parameter when the Sub variable map lacks the name', () => {
      const role = roleNamed(resolveRealworld(file), 'SumoRole');

      expect(role.inlinePolicies).toEqual([
        {
          name: 'SumoPolicy',
          definedBy: { logicalId: 'SumoRole', type: 'AWS::IAM::Role' },
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  's3:GetObject',
                  's3:GetObjectVersion',
                  's3:ListBucketVersions',
                  's3:ListBucket',
                ],
                Resource: ['arn:aws:s3:::sumo-trail-bucket', 'arn:aws:s3:::sumo-trail-bucket/*'],
              },
            ],
          },
        },
      ]);
    });

    it('trusts the Sumo Logic account with deployment and organisation as external ID', () => {
      const role = roleNamed(resolveRealworld(file), 'SumoRole');

      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::926226587429:root' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'us2:0000000000000131' } },
          },
        ],
      });
    });

    it('reports the SAM application as not expanded and drops the role for Only-App', () => {
      const full = resolveRealworld(file);
      const appOnly = resolveRealworld(file, { parameters: { DeploymentType: 'Only-App' } });

      expect(full.notExpanded.map((entry) => [entry.logicalId, entry.type])).toEqual([
        ['SumoAppUtils', 'AWS::Serverless::Application'],
      ]);
      expect(appOnly.roles).toEqual([]);
    });

    it('keeps the NoEcho access key out of every output', () => {
      const state = resolveRealworld(file);

      expect(JSON.stringify(state)).not.toContain('canary-sumo-access-key');
    });
  });

  it('parses all 16 templates and resolves each with its parameter file', () => {
    const files = [
      'coralogix-cloud-accounts-automatic.yaml',
      'coralogix-metrics-integration-role.yaml',
      'crowdstrike-cspm-v2.json',
      'crowdstrike-eks-root-roles.yaml',
      'databricks-cross-account-role.yaml',
      'datadog-agentless-delegate-role.yaml',
      'datadog-integration-role-legacy.yaml',
      'datadog-organizations.yaml',
      'datadog-policy-macro.yaml',
      'dynatrace-monitored-account-role.yaml',
      'newrelic-ct-stack-set-cfct.yaml',
      'plain-aws-config.yaml',
      'plain-aws-firehose-delivery-stream.yaml',
      'plain-aws-neptune.yaml',
      'spot-eco-finops-restricted-read-only.json',
      'sumologic-cloudtrail-benchmark-sam.yaml',
    ];

    const counts = files.map((file) => resolveRealworld(file).roles.length);

    expect(counts).toEqual([3, 1, 4, 3, 1, 2, 1, 3, 0, 1, 1, 2, 1, 1, 1, 1]);
  });
});
