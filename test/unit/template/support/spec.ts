/**
 * Checks a template's resources against the CloudFormation resource specification published in
 * @aws-cdk/aws-service-spec: every type exists, every property name is one the type has, every
 * required property is present, and literal values have the shape the property takes (objects
 * where a structure is expected, lists where a list is, scalars where a scalar is), recursively.
 * Intrinsic functions are accepted wherever a value is; both branches of a Fn::If are checked.
 * Enumerations are not checked: the published lists trail what the services accept.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { CfnTemplate } from './template';

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

interface SpecProperty {
  type: SpecType;
  required?: boolean;
}

type SpecType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] }
  | { type: 'ref'; reference: { $ref: string } };

let database: SpecDatabase | undefined;

/** The specification database; loaded once per test file (about half a second). */
export function specDatabase(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

interface ResourceSpec {
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}

/** The specification of a resource type, or undefined when the type does not exist. */
export function resourceSpec(type: string): ResourceSpec | undefined {
  const found = specDatabase().lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? (found[0] as unknown as ResourceSpec) : undefined;
}

function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function isNoValue(value: unknown): boolean {
  return (value as { Ref?: unknown } | null)?.Ref === 'AWS::NoValue';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(value)}`;
}

function checkProperties(
  properties: Record<string, SpecProperty>,
  value: Record<string, unknown>,
  path: string,
  problems: string[],
): void {
  for (const [name, child] of Object.entries(value)) {
    const property = properties[name];
    if (property === undefined) {
      const known = Object.keys(properties).sort().join(', ');
      problems.push(`${path}.${name}: not a property here; known properties are ${known}`);
      continue;
    }
    if (!isNoValue(child)) checkValue(property.type, child, `${path}.${name}`, problems);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) {
      problems.push(`${path}.${name}: required, and missing`);
    }
  }
}

function fits(type: SpecType, value: unknown, path: string): string[] {
  const problems: string[] = [];
  checkValue(type, value, path, problems);
  return problems;
}

function checkValue(type: SpecType, value: unknown, path: string, problems: string[]): void {
  if (isIntrinsic(value)) {
    const args = (value as Record<string, unknown>)['Fn::If'];
    if (Array.isArray(args)) {
      for (const [i, branch] of args.slice(1).entries()) {
        if (!isNoValue(branch)) checkValue(type, branch, `${path}.Fn::If[${i + 1}]`, problems);
      }
    }
    return;
  }

  switch (type.type) {
    case 'json':
      return;
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'date-time':
      if (value !== null && typeof value === 'object') {
        problems.push(`${path}: expected a ${type.type}, received ${describe(value)}`);
      }
      return;
    case 'null':
      return;
    case 'tag':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path}: expected a tag {Key, Value}, received ${describe(value)}`);
        return;
      }
      checkProperties(
        {
          Key: { type: { type: 'string' }, required: true },
          Value: { type: { type: 'string' }, required: true },
        },
        value as Record<string, unknown>,
        path,
        problems,
      );
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.push(`${path}: expected a list, received ${describe(value)}`);
        return;
      }
      value.forEach((item, i) => {
        checkValue(type.element, item, `${path}[${i}]`, problems);
      });
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path}: expected a map, received ${describe(value)}`);
        return;
      }
      for (const [key, item] of Object.entries(value)) {
        checkValue(type.element, item, `${path}.${key}`, problems);
      }
      return;
    case 'union': {
      const attempts = type.types.map((t) => fits(t, value, path));
      if (attempts.some((a) => a.length === 0)) return;
      problems.push(...attempts.reduce((best, a) => (a.length < best.length ? a : best)));
      return;
    }
    case 'ref': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${path}: expected an object, received ${describe(value)}`);
        return;
      }
      const definition = specDatabase().get('typeDefinition', type.reference.$ref) as unknown as {
        properties: Record<string, SpecProperty>;
      };
      checkProperties(definition.properties, value as Record<string, unknown>, path, problems);
      return;
    }
  }
}

/**
 * Every way the template's resources depart from the specification, one message each naming
 * the path; empty when they all conform. Custom resources need a ServiceToken and may carry any
 * other property.
 */
export function specProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const path = `Resources.${id}.Properties`;
    const properties = resource.Properties ?? {};
    if (resource.Type.startsWith('Custom::')) {
      if (!('ServiceToken' in properties))
        problems.push(`${path}.ServiceToken: required, and missing`);
      continue;
    }
    const spec = resourceSpec(resource.Type);
    if (spec === undefined) {
      problems.push(`Resources.${id}.Type: ${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    checkProperties(spec.properties, properties, path, problems);
  }
  return problems;
}

/** The attributes `Fn::GetAtt` can read from a resource type; undefined for custom resources. */
export function attributesOf(type: string): string[] | undefined {
  if (type.startsWith('Custom::')) return undefined;
  return Object.keys(resourceSpec(type)?.attributes ?? {});
}
