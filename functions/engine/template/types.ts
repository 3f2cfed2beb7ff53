/**
 * The shapes the template engine takes and gives. A resolved value is plain JSON except where an
 * {@link UnknownValue} or a {@link SecretValue} stands in for what cannot be known in clear.
 */
import type { SecretValue, UnknownValue } from '../values';

/** A parsed template: the JSON tree CloudFormation would see, short YAML tags in long form. */
export interface TemplateDocument {
  /** Where the text came from (a file path, `stack <name>`); used in messages only. */
  readonly source: string;
  readonly format: 'yaml' | 'json';
  /** Size of the text in UTF-8 bytes. */
  readonly bytes: number;
  readonly template: TemplateBody;
}

/** The top-level sections of a template, as parsed and checked by `parseTemplate`. */
export interface TemplateBody {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, ParameterDeclaration>;
  Rules?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Transform?: unknown;
  Globals?: unknown;
  Resources: Record<string, ResourceDeclaration>;
  Outputs?: Record<string, unknown>;
}

export interface ParameterDeclaration {
  Type: string;
  Default?: unknown;
  NoEcho?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: unknown;
  MaxLength?: unknown;
  MinValue?: unknown;
  MaxValue?: unknown;
  Description?: string;
  ConstraintDescription?: string;
}

export interface ResourceDeclaration {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Metadata?: unknown;
  DeletionPolicy?: unknown;
  UpdateReplacePolicy?: unknown;
  [key: string]: unknown;
}

/** What CloudFormation knows about the stack, and the values it was deployed with. */
export interface StackContext {
  accountId: string;
  region: string;
  /** Derived from the region when absent. */
  partition?: string;
  /** Derived from the partition when absent (`amazonaws.com`, `amazonaws.com.cn`). */
  urlSuffix?: string;
  stackName: string;
  stackId?: string;
  notificationArns?: string[];
  /**
   * Parameter values as deployed. NoEcho ones may be `'****'` (masked, as the API returns them)
   * or clear; a clear value is only hashed, never kept. For SSM parameter types give the
   * resolved value. Lists may be given as an array or as comma-delimited text.
   */
  parameters: Record<string, string | string[]>;
  /** NoEcho parameter name to the SHA-256 hex digest of its clear value. */
  secretDigests?: Record<string, string>;
  /** The stack's resources (describe-stack-resources): logical to physical IDs. */
  resources?: StackResource[];
  /** Exported values of other stacks, for `Fn::ImportValue`. */
  exports?: Record<string, string>;
  /** The region's availability zones, for `Fn::GetAZs`. */
  availabilityZones?: string[];
}

export interface StackResource {
  logicalId: string;
  physicalId: string;
  type: string;
  lastUpdated?: Date;
}

export interface DefinedBy {
  logicalId: string;
  type: string;
}

export interface PromisedInlinePolicy {
  name: string | UnknownValue;
  document: unknown;
  definedBy: DefinedBy;
}

export interface PromisedManagedPolicyArn {
  arn: string | UnknownValue;
  definedBy: DefinedBy;
}

export interface PromisedRole {
  logicalId: string;
  name: string | UnknownValue;
  /** `/` by default. */
  path: string;
  arn: string | UnknownValue;
  /** JSON tree; may hold Unknown and Secret leaves. */
  trustPolicy: unknown;
  inlinePolicies: PromisedInlinePolicy[];
  managedPolicyArns: PromisedManagedPolicyArn[];
  permissionsBoundary: string | UnknownValue | null;
  /** 3600 by default. */
  maxSessionDuration: number;
  tags: Record<string, string | UnknownValue>;
  /** `Description` of the role, when the template gives one. */
  description?: string | UnknownValue;
  /** From the stack's resources. */
  lastUpdated?: Date;
}

export interface PromisedManagedPolicy {
  logicalId: string;
  name: string | UnknownValue;
  path: string;
  arn: string | UnknownValue;
  document: unknown;
  attachedTo: {
    roles: (string | UnknownValue)[];
    users: (string | UnknownValue)[];
    groups: (string | UnknownValue)[];
  };
}

/** A resource or template part the engine reads but cannot turn into promises offline. */
export interface NotExpanded {
  /** The resource's logical ID; `(template)` for a template-level transform. */
  logicalId: string;
  type: string;
  reason: string;
}

/**
 * A grant the stack makes to an IAM role it does not create (an `AWS::IAM::Policy`,
 * `AWS::IAM::RolePolicy` or `AWS::IAM::ManagedPolicy` naming a role from outside the stack).
 */
export interface ExternalRoleGrant {
  roleName: string | UnknownValue;
  kind: 'inline-policy' | 'managed-policy';
  /** The inline policy's name, or the managed policy's ARN. */
  name: string | UnknownValue;
  definedBy: DefinedBy;
}

export interface PromisedIamState {
  roles: PromisedRole[];
  managedPolicies: PromisedManagedPolicy[];
  memberAccountRoles: { stackSetLogicalId: string; role: PromisedRole }[];
  notExpanded: NotExpanded[];
  externalRoleGrants: ExternalRoleGrant[];
}

/** A secret or unknown stands where CloudFormation would have a value. */
export type Resolved = unknown;

export type ConditionValue = boolean | UnknownValue;

/** One resource after resolution. */
export interface ResolvedResource {
  logicalId: string;
  type: string;
  /** Whether the stack creates it: false when its Condition is false. */
  created: ConditionValue;
  condition?: string;
  /**
   * Resolved properties; `{}` when the resource is not created, `{ '*': UnknownValue }` when a
   * macro writes all of them.
   */
  properties: Record<string, Resolved>;
  /** Where the resource holds a macro call (`Fn::Transform`) that stays unexpanded. */
  macros: string[];
}

/** The whole template resolved for one stack. */
export interface ResolvedTemplate {
  parameters: Record<string, string | string[] | SecretValue | UnknownValue>;
  conditions: Record<string, ConditionValue>;
  resources: Record<string, ResolvedResource>;
  outputs: Record<string, { value: Resolved; exportName?: Resolved }>;
  /** Template-level transforms (`Transform`), in order. */
  transforms: string[];
}
