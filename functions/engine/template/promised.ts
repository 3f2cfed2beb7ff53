/**
 * The IAM state a stack promises: every role it creates with its trust, inline and managed
 * policies, boundary, session length and tags, and every managed policy with what it is attached
 * to, gathered from the role itself and from every AWS::IAM::Policy, AWS::IAM::RolePolicy and
 * AWS::IAM::ManagedPolicy that targets it.
 */
import { isUnknown } from '../values';
import { child, describeValue, fail, pathOf } from './errors';
import {
  checkPath,
  documentOf,
  durationOf,
  type Name,
  nameKey,
  nameOf,
  namesOf,
  tagsOf,
} from './iam-properties';
import { isMapping } from './parse';
import { type Overrides, Resolver } from './resolver';
import { checkRules } from './rules';
import { memberState } from './stackset';
import type {
  DefinedBy,
  NotExpanded,
  PromisedIamState,
  PromisedManagedPolicy,
  PromisedRole,
  StackContext,
  TemplateBody,
} from './types';

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
const HANDLED_TRANSFORMS = new Set([SAM_TRANSFORM, 'AWS::LanguageExtensions']);
const IAM_TYPES = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::ManagedPolicy',
  'AWS::CloudFormation::StackSet',
]);

/** Builds the promised state of one template for one stack (or StackSet member). */
export function buildState(
  template: TemplateBody,
  ctx: StackContext,
  overrides: Overrides = {},
): PromisedIamState {
  const resolver = new Resolver(template, ctx, overrides);
  const builder = new StateBuilder(resolver.template, resolver, ctx);
  return builder.build();
}

class StateBuilder {
  private readonly state: PromisedIamState = {
    roles: [],
    managedPolicies: [],
    memberAccountRoles: [],
    notExpanded: [],
    externalRoleGrants: [],
  };
  private readonly roles = new Map<string, PromisedRole>();
  private readonly policies = new Map<string, PromisedManagedPolicy>();
  /** Roles by the key of their name (the first role of a name), for targets named by value. */
  private readonly rolesByName = new Map<string, PromisedRole>();
  /** The keys of each role's managed policy ARNs, so adding one stays constant time. */
  private readonly managedKeys = new Map<PromisedRole, Set<string>>();

  constructor(
    private readonly template: TemplateBody,
    private readonly resolver: Resolver,
    private readonly ctx: StackContext,
  ) {}

  build(): PromisedIamState {
    // CloudFormation checks every parameter and condition, used or not, before it creates
    // anything; so does this, so that a value it would refuse is not silently ignored.
    this.resolver.parameters();
    this.resolver.conditions();
    this.checkOutputConditions();
    checkRules(this.resolver);
    this.noteTransforms();
    const entries = Object.entries(this.template.Resources);
    for (const [logicalId, declaration] of entries) {
      if (!this.isCreated(logicalId, declaration.Type)) continue;
      this.noteUnexpandable(logicalId, declaration.Type);
      if (declaration.Type === 'AWS::IAM::Role') this.addRole(logicalId);
      if (declaration.Type === 'AWS::IAM::ManagedPolicy') this.addManagedPolicy(logicalId);
    }
    for (const [logicalId, declaration] of entries) {
      if (this.resolver.created(logicalId) !== true) continue;
      if (declaration.Type === 'AWS::IAM::Policy') this.addPolicy(logicalId);
      if (declaration.Type === 'AWS::IAM::RolePolicy') this.addRolePolicy(logicalId);
      if (declaration.Type === 'AWS::CloudFormation::StackSet') this.addStackSet(logicalId);
    }
    for (const [logicalId] of this.policies) this.attachManagedPolicy(logicalId);
    this.linkRoleSideAttachments();
    return this.state;
  }

  /** An output's Condition must name a declared condition, or CloudFormation refuses it. */
  private checkOutputConditions(): void {
    for (const [name, output] of Object.entries(this.template.Outputs ?? {})) {
      if (isMapping(output) && output.Condition !== undefined) {
        const where = pathOf('Outputs', name, 'Condition');
        if (typeof output.Condition !== 'string') fail(where, 'must name a condition');
        this.resolver.condition(output.Condition, where);
      }
    }
  }

  private noteTransforms(): void {
    for (const name of this.resolver.transforms) {
      if (HANDLED_TRANSFORMS.has(name)) continue;
      this.state.notExpanded.push({
        logicalId: '(template)',
        type: `Transform ${name}`,
        reason:
          `the template-level macro ${name} may rewrite any part of the template; ` +
          "resolve CloudFormation's processed template (GetTemplate, TemplateStage " +
          'Processed) instead',
      });
    }
    for (const macro of this.resolver.sectionMacros) {
      const names = macro.names.join(', ');
      this.state.notExpanded.push({
        logicalId: `(${macro.section})`,
        type: `Fn::Transform ${names}`,
        reason:
          `the macro ${names} adds to ${macro.section} when CloudFormation processes the ` +
          "template; resolve CloudFormation's processed template to check what it adds",
      });
    }
    for (const loop of this.resolver.unexpandedLoops) {
      this.state.notExpanded.push({
        logicalId: loop.key,
        type: 'Fn::ForEach',
        reason:
          `the loop's collection depends on ${loop.unknown.source}, so what it ` +
          `makes is not known offline`,
      });
    }
  }

  private isCreated(logicalId: string, type: string): boolean {
    const created = this.resolver.created(logicalId);
    if (created === true) return true;
    if (isUnknown(created) && (IAM_TYPES.has(type) || type.startsWith('AWS::Serverless::'))) {
      this.state.notExpanded.push({
        logicalId,
        type,
        reason:
          `whether the stack creates it depends on a condition that cannot be ` +
          `decided offline (${created.source})`,
      });
    }
    return false;
  }

  private noteUnexpandable(logicalId: string, type: string): void {
    let reason: string | undefined;
    if (type === 'AWS::Serverless::Function') {
      reason =
        'SAM creates this function and, unless it names a Role, an execution role with ' +
        'the policies it lists, when CloudFormation processes the template; that role is ' +
        'not derived offline: resolve the processed template to check it';
    } else if (type.startsWith('AWS::Serverless::')) {
      reason =
        'SAM expands this resource when CloudFormation processes the template; resolve ' +
        'the processed template to check what it creates';
    } else if (type === 'AWS::CloudFormation::Stack') {
      reason = 'a nested stack creates its own resources; check it as a stack of its own';
    }
    if (reason !== undefined) this.state.notExpanded.push({ logicalId, type, reason });
  }

  private resolveResource(logicalId: string, type: string): Record<string, unknown> | undefined {
    const { value, macros } = this.resolver.withMacros(() => this.resolver.properties(logicalId));
    if (macros.length > 0) {
      this.state.notExpanded.push({
        logicalId,
        type,
        reason:
          `${macros.join('; ')}: the macro's output is known only from ` +
          `CloudFormation's processed template, so what it adds stays unknown`,
      });
    }
    if (isUnknown(value)) {
      if (macros.length === 0) {
        this.state.notExpanded.push({
          logicalId,
          type,
          reason: `its properties depend on ${value.source}`,
        });
      }
      return undefined;
    }
    return value;
  }

  private addRole(logicalId: string): void {
    const role = this.roleFrom(logicalId);
    if (role === undefined) return;
    this.roles.set(logicalId, role);
    this.state.roles.push(role);
    const key = nameKey(role.name);
    if (!this.rolesByName.has(key)) this.rolesByName.set(key, role);
  }

  private roleFrom(logicalId: string): PromisedRole | undefined {
    const type = 'AWS::IAM::Role';
    const props = this.resolveResource(logicalId, type);
    if (props === undefined) return undefined;
    const where = (key: string) => pathOf('Resources', logicalId, 'Properties', key);
    const definedBy = { logicalId, type };
    const path = props.Path ?? '/';
    if (typeof path !== 'string') {
      this.state.notExpanded.push({
        logicalId,
        type,
        reason: `its Path is ${describeValue(path)}`,
      });
      return undefined;
    }
    checkPath(path, where('Path'));
    // The name the stack reports wins over one the template leaves unknown.
    const name =
      props.RoleName !== undefined && !isUnknown(props.RoleName)
        ? props.RoleName
        : this.resolver.refResource(logicalId, where('RoleName'));
    const role: PromisedRole = {
      logicalId,
      name: nameOf(name, where('RoleName')),
      path,
      arn: nameOf(this.resolver.getAtt(logicalId, 'Arn', where('RoleName')), where('RoleName')),
      trustPolicy: documentOf(props.AssumeRolePolicyDocument, where('AssumeRolePolicyDocument')),
      inlinePolicies: [],
      managedPolicyArns: [],
      permissionsBoundary:
        props.PermissionsBoundary === undefined
          ? null
          : nameOf(props.PermissionsBoundary, where('PermissionsBoundary')),
      maxSessionDuration: durationOf(props.MaxSessionDuration, where('MaxSessionDuration')),
      tags: tagsOf(props.Tags, where('Tags')),
    };
    if (props.Description !== undefined)
      role.description = nameOf(props.Description, where('Description'));
    const lastUpdated = this.resolver.physicalOf(logicalId)?.lastUpdated;
    if (lastUpdated !== undefined) role.lastUpdated = lastUpdated;
    this.managedKeys.set(role, new Set());
    this.inlineFromRole(role, props.Policies, definedBy);
    this.managedFromRole(role, props.ManagedPolicyArns, definedBy);
    return role;
  }

  private inlineFromRole(role: PromisedRole, policies: unknown, definedBy: DefinedBy): void {
    if (policies === undefined) return;
    const where = pathOf('Resources', role.logicalId, 'Properties', 'Policies');
    const list = isUnknown(policies) ? [policies] : policies;
    if (!Array.isArray(list))
      fail(where, `must be a list of policies, received ${describeValue(list)}`);
    list.forEach((entry, index) => {
      const at = pathOf('Resources', role.logicalId, 'Properties', 'Policies', index);
      if (isUnknown(entry)) {
        role.inlinePolicies.push({ name: entry, document: entry, definedBy });
        return;
      }
      if (!isMapping(entry))
        fail(at, `must be { PolicyName, PolicyDocument }, received ${describeValue(entry)}`);
      role.inlinePolicies.push({
        name: nameOf(entry.PolicyName, child(at, 'PolicyName')),
        document: documentOf(entry.PolicyDocument, child(at, 'PolicyDocument')),
        definedBy,
      });
    });
  }

  private managedFromRole(role: PromisedRole, arns: unknown, definedBy: DefinedBy): void {
    if (arns === undefined) return;
    const where = pathOf('Resources', role.logicalId, 'Properties', 'ManagedPolicyArns');
    const list = isUnknown(arns) ? [arns] : arns;
    if (!Array.isArray(list))
      fail(where, `must be a list of ARNs, received ${describeValue(list)}`);
    for (const arn of list) this.addManaged(role, nameOf(arn, where), definedBy);
  }

  private addManagedPolicy(logicalId: string): void {
    const type = 'AWS::IAM::ManagedPolicy';
    const props = this.resolveResource(logicalId, type);
    if (props === undefined) return;
    const where = (key: string) => pathOf('Resources', logicalId, 'Properties', key);
    const arn = nameOf(
      this.resolver.refResource(logicalId, where('ManagedPolicyName')),
      where('ManagedPolicyName'),
    );
    let name: Name;
    if (props.ManagedPolicyName !== undefined && !isUnknown(props.ManagedPolicyName))
      name = nameOf(props.ManagedPolicyName, where('ManagedPolicyName'));
    else if (typeof arn === 'string') name = arn.slice(arn.lastIndexOf('/') + 1);
    else name = arn;
    const path = props.Path ?? '/';
    if (typeof path === 'string') checkPath(path, where('Path'));
    const policy: PromisedManagedPolicy = {
      logicalId,
      name,
      path: typeof path === 'string' ? path : '/',
      arn,
      document: documentOf(props.PolicyDocument, where('PolicyDocument')),
      attachedTo: {
        roles: namesOf(props.Roles, where('Roles')),
        users: namesOf(props.Users, where('Users')),
        groups: namesOf(props.Groups, where('Groups')),
      },
    };
    if (typeof path !== 'string') {
      this.state.notExpanded.push({
        logicalId,
        type,
        reason: `its Path is ${describeValue(path)}`,
      });
      return;
    }
    this.policies.set(logicalId, policy);
    this.state.managedPolicies.push(policy);
  }

  /** A managed policy's own Roles list attaches it to those roles. */
  private attachManagedPolicy(logicalId: string): void {
    const policy = this.policies.get(logicalId) as PromisedManagedPolicy;
    const definedBy = { logicalId, type: 'AWS::IAM::ManagedPolicy' };
    for (const target of this.targets(logicalId, 'Roles')) {
      if (target.role !== undefined) this.addManaged(target.role, policy.arn, definedBy);
      else {
        this.state.externalRoleGrants.push({
          roleName: target.name,
          kind: 'managed-policy',
          name: policy.arn,
          definedBy,
        });
      }
    }
  }

  /** Attaches a managed policy to a role once, however many times the template names it. */
  private addManaged(role: PromisedRole, arn: Name, definedBy: DefinedBy): void {
    const keys = this.managedKeys.get(role) as Set<string>;
    const key = nameKey(arn);
    if (keys.has(key)) return;
    keys.add(key);
    role.managedPolicyArns.push({ arn, definedBy });
  }

  /**
   * A role's ManagedPolicyArns naming a policy of the stack attaches it, seen from the policy.
   * The ARNs are compared as resolved, so `!Ref`, `!GetAtt P.PolicyArn`, an `Fn::If` or the ARN
   * written out all count; an ARN known only after deploy matches one built the same way.
   */
  private linkRoleSideAttachments(): void {
    const byArn = new Map<string, PromisedManagedPolicy[]>();
    for (const policy of this.policies.values()) {
      const key = nameKey(policy.arn);
      byArn.set(key, [...(byArn.get(key) ?? []), policy]);
    }
    const attached = new Map<PromisedManagedPolicy, Set<string>>();
    for (const role of this.state.roles) {
      for (const entry of role.managedPolicyArns) {
        if (entry.definedBy.logicalId !== role.logicalId) continue;
        for (const policy of byArn.get(nameKey(entry.arn)) ?? []) {
          const names = attached.get(policy) ?? new Set(policy.attachedTo.roles.map(nameKey));
          attached.set(policy, names);
          if (names.has(nameKey(role.name))) continue;
          names.add(nameKey(role.name));
          policy.attachedTo.roles.push(role.name);
        }
      }
    }
  }

  private addPolicy(logicalId: string): void {
    const type = 'AWS::IAM::Policy';
    const props = this.resolveResource(logicalId, type);
    if (props === undefined) return;
    const at = pathOf('Resources', logicalId, 'Properties', 'PolicyName');
    const name = nameOf(props.PolicyName, at);
    const document = documentOf(
      props.PolicyDocument,
      pathOf('Resources', logicalId, 'Properties', 'PolicyDocument'),
    );
    const definedBy = { logicalId, type };
    for (const target of this.targets(logicalId, 'Roles'))
      this.grantInline(target, name, document, definedBy);
  }

  private addRolePolicy(logicalId: string): void {
    const type = 'AWS::IAM::RolePolicy';
    const props = this.resolveResource(logicalId, type);
    if (props === undefined) return;
    const name = nameOf(
      props.PolicyName,
      pathOf('Resources', logicalId, 'Properties', 'PolicyName'),
    );
    const document = documentOf(
      props.PolicyDocument,
      pathOf('Resources', logicalId, 'Properties', 'PolicyDocument'),
    );
    const definedBy = { logicalId, type };
    for (const target of this.targets(logicalId, 'RoleName'))
      this.grantInline(target, name, document, definedBy);
  }

  private grantInline(target: Target, name: Name, document: unknown, definedBy: DefinedBy): void {
    if (target.role !== undefined) {
      target.role.inlinePolicies.push({ name, document, definedBy });
      return;
    }
    this.state.externalRoleGrants.push({
      roleName: target.name,
      kind: 'inline-policy',
      name,
      definedBy,
    });
  }

  /**
   * The roles a property names: a `Ref` to a role of the stack matches by logical ID (so a
   * generated name still matches), anything else by the resolved name.
   */
  private targets(logicalId: string, property: string): Target[] {
    const properties = this.template.Resources[logicalId].Properties;
    const where = pathOf('Resources', logicalId, 'Properties', property);
    if (isFunctionCall(properties)) {
      // The whole block is chosen by a function: only resolved names are left to match.
      return this.targetsByName(this.resolver.property(logicalId, property), where);
    }
    const raw = properties?.[property];
    if (raw === undefined) return [];
    const items = Array.isArray(raw) ? raw : [raw];
    const out: Target[] = [];
    items.forEach((item, index) => {
      const at = Array.isArray(raw)
        ? pathOf('Resources', logicalId, 'Properties', property, index)
        : where;
      if (isMapping(item) && typeof item.Ref === 'string' && this.roles.has(item.Ref)) {
        const role = this.roles.get(item.Ref) as PromisedRole;
        out.push({ role, name: role.name });
        return;
      }
      out.push(...this.targetsByName(this.resolver.resolve(item, at), at));
    });
    return out;
  }

  /** Roles named by resolved values: a role of the stack when the name matches, else external. */
  private targetsByName(resolved: unknown, at: ReturnType<typeof pathOf>): Target[] {
    const names = Array.isArray(resolved) ? resolved : [resolved];
    const out: Target[] = [];
    for (const value of names) {
      if (isNoValueLike(value)) continue;
      const name = nameOf(value, at);
      out.push({ role: this.rolesByName.get(nameKey(name)), name });
    }
    return out;
  }

  private addStackSet(logicalId: string): void {
    const type = 'AWS::CloudFormation::StackSet';
    const props = this.resolveResource(logicalId, type);
    if (props === undefined) return;
    const member = memberState(logicalId, props, this.ctx, buildState);
    if (!('roles' in member)) {
      this.state.notExpanded.push(member);
      return;
    }
    for (const role of member.roles) {
      this.state.memberAccountRoles.push({ stackSetLogicalId: logicalId, role });
    }
    for (const item of member.notExpanded) {
      this.state.notExpanded.push({ ...item, logicalId: `${logicalId}/${item.logicalId}` });
    }
  }
}

interface Target {
  role: PromisedRole | undefined;
  name: Name;
}

/** Whether a resource's Properties block is a single function call (`Fn::If`, say). */
function isFunctionCall(value: unknown): boolean {
  if (!isMapping(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function isNoValueLike(value: unknown): boolean {
  return value === undefined || typeof value === 'symbol';
}

export type { NotExpanded };
