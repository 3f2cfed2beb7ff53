import {
  dependencyGraph,
  dependsOn,
  findCycle,
  PSEUDO_PARAMETERS,
  referencesIn,
  subVariables,
} from './support/references';
import { attributesOf } from './support/spec';
import {
  type CfnTemplate,
  dig,
  loadTemplate,
  parseCfnYaml,
  rolesOf,
  SHORT_TAGS,
  subVariable,
} from './support/template';

const PUBLIC_PARAMETERS = [
  'TenantAccountId',
  'TenantExternalId',
  'IamResourceNamesPrefix',
  'IamResourceNamesSuffix',
  'GlobalManagedPolicies',
  'GlobalPermissionsBoundary',
  'SupportRoleExpirationDate',
  'NotificationEmail',
  'ExistingNotificationTopicArn',
  'DriftCheckSchedule',
  'AlertMinimumSeverity',
  'ReminderIntervalHours',
  'CodeBucketPrefix',
  'CodeKeyPrefix',
];

const VALIDATOR_OWN = [
  'InstallValidatorRole',
  'InstallValidatorLogGroup',
  'InstallValidatorFunction',
];

describe('the connector template', () => {
  let template: CfnTemplate;

  beforeEach(() => {
    template = loadTemplate();
  });

  describe('parsing', () => {
    it('reads every CloudFormation short tag into its long form', () => {
      const lines = Object.keys(SHORT_TAGS).map((tag, i) => `      K${i}: ${tag} [a, b]`);
      const text = `Resources:\n  R:\n    Type: X\n    Metadata:\n${lines.join('\n')}\n`;

      const parsed = parseCfnYaml(`${text}      S: !GetAtt Role.Arn\n`);

      const metadata = parsed.Resources.R.Metadata as Record<string, unknown>;
      Object.values(SHORT_TAGS).forEach((longForm, i) => {
        expect(metadata[`K${i}`]).toEqual({ [longForm]: ['a', 'b'] });
      });
      expect(metadata.S).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
    });

    it('rejects a tag CloudFormation does not know, naming where it is', () => {
      const text = 'Resources:\n  R:\n    Type: X\n    Properties: { A: !Reff B }\n';

      expect(() => parseCfnYaml(text)).toThrow(/Resources\.R\.Properties\.A: !Reff is not/);
    });

    it('keeps the policy language version a string', () => {
      const versions = rolesOf(template).map(([, role]) =>
        dig(role, 'Properties', 'AssumeRolePolicyDocument', 'Version'),
      );

      expect(versions.length).toBeGreaterThan(0);
      for (const version of versions) expect(version).toBe('2012-10-17');
    });
  });

  describe('parameters', () => {
    it('declares exactly the public parameters, in their documented order', () => {
      expect(Object.keys(template.Parameters)).toEqual(PUBLIC_PARAMETERS);
    });

    it('hides the external ID (NoEcho) and never outputs it', () => {
      const outputReferences = referencesIn(template).filter((r) => r.path.startsWith('Outputs.'));

      expect(template.Parameters.TenantExternalId.NoEcho).toBe(true);
      expect(outputReferences.map((r) => r.target)).not.toContain('TenantExternalId');
    });

    it('keeps every role name within 64 characters for the longest prefix and suffix accepted', () => {
      const prefix = 'p'.repeat(Number(template.Parameters.IamResourceNamesPrefix.MaxLength));
      const suffix = 's'.repeat(Number(template.Parameters.IamResourceNamesSuffix.MaxLength));

      const names = rolesOf(template).map(([, role]) => {
        const sub = String(dig(role.Properties, 'RoleName', 'Fn::Sub'));
        return sub
          .replace(subVariable('IamResourceNamesPrefix'), prefix)
          .replace(subVariable('IamResourceNamesSuffix'), suffix);
      });

      expect(names).toHaveLength(rolesOf(template).length);
      for (const name of names) {
        expect(subVariables(name)).toEqual([]);
        expect(name.length).toBeLessThanOrEqual(64);
      }
    });

    it('accepts only IAM name characters in the prefix and suffix', () => {
      for (const name of ['IamResourceNamesPrefix', 'IamResourceNamesSuffix']) {
        const pattern = new RegExp(String(template.Parameters[name].AllowedPattern));

        expect(pattern.test('')).toBe(true);
        expect(pattern.test('Acme_+=,.@-')).toBe(true);
        expect(pattern.test('acme/')).toBe(false);
        expect(pattern.test('acme corp')).toBe(false);
        expect(pattern.test('acme*')).toBe(false);
      }
    });

    it('names the validator own log group and function from nothing a parameter sets', () => {
      const [, logGroup, fn] = VALIDATOR_OWN.map((id) => template.Resources[id].Properties ?? {});

      expect(fn.FunctionName).toBeUndefined();
      expect(subVariables(String(dig(logGroup, 'LogGroupName', 'Fn::Sub')))).toEqual([
        'AWS::StackName',
      ]);
    });

    it('names the validator own role from the prefix and suffix only', () => {
      const roleName = dig(template.Resources.InstallValidatorRole, 'Properties', 'RoleName');

      expect(subVariables(String(dig(roleName, 'Fn::Sub')))).toEqual([
        'IamResourceNamesPrefix',
        'IamResourceNamesSuffix',
      ]);
    });
  });

  describe('references', () => {
    it('refers only to parameters, resources, conditions and pseudo parameters that exist', () => {
      const missing = referencesIn(template).filter((ref) => {
        if (ref.kind === 'Condition') return template.Conditions[ref.target] === undefined;
        if (ref.kind === 'GetAtt' || ref.kind === 'DependsOn') {
          return template.Resources[ref.target] === undefined;
        }
        return (
          template.Parameters[ref.target] === undefined &&
          template.Resources[ref.target] === undefined &&
          !PSEUDO_PARAMETERS.has(ref.target)
        );
      });

      expect(missing).toEqual([]);
    });

    it('reads with GetAtt only attributes the resource type has', () => {
      const wrong = referencesIn(template)
        .filter((ref) => ref.attribute !== undefined)
        .filter((ref) => {
          const type = template.Resources[ref.target]?.Type ?? '';
          const attributes = attributesOf(type);
          return attributes !== undefined && !attributes.includes(ref.attribute as string);
        });

      expect(wrong).toEqual([]);
    });

    it('finds a reference to a parameter that does not exist', () => {
      const role = template.Resources.TenantRole.Properties as Record<string, unknown>;
      role.RoleName = { 'Fn::Sub': `${subVariable('IamResourceNamesPrefx')}connector-tenant` };

      const targets = referencesIn(template).map((r) => r.target);

      expect(targets).toContain('IamResourceNamesPrefx');
      expect(template.Parameters.IamResourceNamesPrefx).toBeUndefined();
    });

    it('has no dependency cycle', () => {
      expect(findCycle(dependencyGraph(template))).toBeNull();
    });

    it('finds a dependency cycle made in a copy', () => {
      template.Resources.InstallValidatorRole.DependsOn = 'DriftGuardFunction';

      const cycle = findCycle(dependencyGraph(template));

      expect(cycle).toEqual(expect.arrayContaining(['InstallValidatorRole', 'InstallValidation']));
    });
  });

  describe('install validation', () => {
    it('makes every resource but the validator own three wait for InstallValidation', () => {
      const graph = dependencyGraph(template);
      const others = Object.keys(template.Resources).filter(
        (id) => id !== 'InstallValidation' && !VALIDATOR_OWN.includes(id),
      );

      const notWaiting = others.filter((id) => !dependsOn(graph, id, 'InstallValidation'));

      expect(others.length).toBeGreaterThan(15);
      expect(notWaiting).toEqual([]);
    });

    it('notices a resource that no longer waits for InstallValidation', () => {
      delete template.Resources.DriftGuardDeadLetterQueue.DependsOn;

      const graph = dependencyGraph(template);

      expect(dependsOn(graph, 'DriftGuardDeadLetterQueue', 'InstallValidation')).toBe(false);
    });

    it('passes every parameter under its own name, and nothing else but its service settings', () => {
      const { Type, Properties = {} } = template.Resources.InstallValidation;
      const { ServiceToken, ServiceTimeout, ...parameters } = Properties;

      expect(Type).toBe('Custom::InstallValidator');
      expect(ServiceToken).toEqual({ 'Fn::GetAtt': ['InstallValidatorFunction', 'Arn'] });
      expect(Object.keys(parameters).sort()).toEqual([...PUBLIC_PARAMETERS].sort());
      for (const [name, value] of Object.entries(parameters)) {
        const passed =
          template.Parameters[name].Type === 'CommaDelimitedList'
            ? { 'Fn::Join': [',', { Ref: name }] }
            : { Ref: name };
        expect(value).toEqual(passed);
      }
    });

    it('answers CloudFormation before its ServiceTimeout: the Lambda timeout is shorter', () => {
      const serviceTimeout = Number(
        template.Resources.InstallValidation.Properties?.ServiceTimeout,
      );
      const lambdaTimeout = Number(template.Resources.InstallValidatorFunction.Properties?.Timeout);

      expect(serviceTimeout).toBeLessThanOrEqual(120);
      expect(lambdaTimeout).toBeLessThan(serviceTimeout);
      expect(lambdaTimeout).toBeGreaterThanOrEqual(30);
    });
  });

  describe('the guard resources', () => {
    it('gives the drift guard exactly the environment its contract names', () => {
      const variables = dig(
        template.Resources.DriftGuardFunction,
        'Properties',
        'Environment',
        'Variables',
      ) as Record<string, unknown>;

      expect(variables).toMatchObject({
        STACK_ID: { Ref: 'AWS::StackId' },
        TOPIC_ARN: {
          'Fn::If': [
            'CreateFindingsTopic',
            { Ref: 'FindingsTopic' },
            { Ref: 'ExistingNotificationTopicArn' },
          ],
        },
        STATE_TABLE: { Ref: 'DriftGuardStateTable' },
        EXTERNAL_ID_SHA256: { 'Fn::GetAtt': ['InstallValidation', 'ExternalIdSha256'] },
        EXTERNAL_ID_FOLDED_SHA256: {
          'Fn::GetAtt': ['InstallValidation', 'ExternalIdFoldedSha256'],
        },
        ALERT_MINIMUM_SEVERITY: { Ref: 'AlertMinimumSeverity' },
        REMINDER_INTERVAL_HOURS: { Ref: 'ReminderIntervalHours' },
        POWERTOOLS_SERVICE_NAME: 'drift-guard',
      });
      expect(Object.keys(variables).sort()).toEqual([
        'ALERT_MINIMUM_SEVERITY',
        'EXTERNAL_ID_FOLDED_SHA256',
        'EXTERNAL_ID_SHA256',
        'NODE_OPTIONS',
        'POWERTOOLS_SERVICE_NAME',
        'REMINDER_INTERVAL_HOURS',
        'STACK_ID',
        'STATE_TABLE',
        'TOPIC_ARN',
      ]);
    });

    it('runs both functions on nodejs24.x with JSON logs into log groups that expire', () => {
      for (const id of ['InstallValidatorFunction', 'DriftGuardFunction']) {
        const properties = template.Resources[id].Properties;
        const logGroup =
          template.Resources[String(dig(properties, 'LoggingConfig', 'LogGroup', 'Ref'))];

        expect(dig(properties, 'Runtime')).toBe('nodejs24.x');
        expect(dig(properties, 'Handler')).toBe('index.handler');
        expect(dig(properties, 'LoggingConfig', 'LogFormat')).toBe('JSON');
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(dig(logGroup, 'Properties', 'RetentionInDays')).toBeGreaterThan(0);
      }
    });

    it('keeps drift state in an encrypted, recoverable, on-demand table keyed pk/sk with TTL', () => {
      const table = template.Resources.DriftGuardStateTable.Properties as Record<string, unknown>;

      expect(table.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(table.AttributeDefinitions).toEqual([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]);
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
      expect(dig(table, 'SSESpecification', 'SSEEnabled')).toBe(true);
      expect(dig(table, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled')).toBe(
        true,
      );
    });

    it('schedules {"action": "check"} on the drift guard through the scheduler role', () => {
      const schedule = template.Resources.DriftGuardSchedule.Properties;

      expect(dig(schedule, 'ScheduleExpression')).toEqual({ Ref: 'DriftCheckSchedule' });
      expect(JSON.parse(String(dig(schedule, 'Target', 'Input')))).toEqual({ action: 'check' });
      expect(dig(schedule, 'Target', 'Arn')).toEqual({
        'Fn::GetAtt': ['DriftGuardFunction', 'Arn'],
      });
      expect(dig(schedule, 'Target', 'RoleArn')).toEqual({
        'Fn::GetAtt': ['DriftGuardSchedulerRole', 'Arn'],
      });
    });

    it('retries failed asynchronous runs, then sends them to an encrypted queue', () => {
      const config = template.Resources.DriftGuardEventInvokeConfig.Properties;
      const queue = template.Resources.DriftGuardDeadLetterQueue.Properties;

      expect(dig(config, 'FunctionName')).toEqual({ Ref: 'DriftGuardFunction' });
      expect(dig(config, 'MaximumRetryAttempts')).toBeGreaterThan(0);
      expect(dig(config, 'DestinationConfig', 'OnFailure', 'Destination')).toEqual({
        'Fn::GetAtt': ['DriftGuardDeadLetterQueue', 'Arn'],
      });
      expect(dig(queue, 'SqsManagedSseEnabled')).toBe(true);
    });

    it('encrypts a new findings topic with its own rotating key', () => {
      const topic = template.Resources.FindingsTopic;
      const key = template.Resources.FindingsKey;

      expect(topic.Condition).toBe('CreateFindingsTopic');
      expect(topic.Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['FindingsKey', 'Arn'] });
      expect(key.Properties?.EnableKeyRotation).toBe(true);
      expect(template.Resources.FindingsEmailSubscription.Condition).toBe('SubscribeEmail');
    });

    it('outputs every role ARN, the topic and the self-check command', () => {
      const outputs = template.Outputs;
      const roleArns = Object.values(outputs)
        .filter((o) => dig(o, 'Value', 'Fn::GetAtt', 1) === 'Arn')
        .map((o) => String(dig(o, 'Value', 'Fn::GetAtt', 0)));

      expect(roleArns.sort()).toEqual(
        rolesOf(template)
          .map(([id]) => id)
          .sort(),
      );
      expect(outputs.FindingsTopicArn).toBeDefined();
      const command = String(dig(outputs, 'SelfCheckCommand', 'Value', 'Fn::Sub'));
      expect(subVariables(command)).toEqual(['AWS::Region', 'DriftGuardFunction']);
      expect(command).toContain(`--payload '{"action": "self-check", "notify": false}'`);
    });
  });
});
