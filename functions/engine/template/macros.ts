/**
 * Macros called with `Fn::Transform` as a key of a template section (`Resources`, `Conditions`,
 * `Mappings`, `Outputs`), as `AWS::Include` is used to insert shared snippets. CloudFormation
 * runs the macro and merges what it returns into the section; offline that is unknown, so the
 * key is lifted out of the section, and a name the section does not declare (a resource, a
 * condition, a mapping the macro may add) resolves to an `UnknownValue` naming the macro
 * instead of an error.
 */
import { UnknownValue } from '../values';
import { describeValue, TemplateError } from './errors';
import { identified } from './identity';
import { isMapping } from './parse';
import type { TemplateBody } from './types';

export const MACRO_KEY = 'Fn::Transform';

const SECTIONS = ['Resources', 'Conditions', 'Mappings', 'Outputs'] as const;

export type MacroSection = (typeof SECTIONS)[number];

/** A macro a section calls with its own `Fn::Transform` key. */
export interface SectionMacro {
  section: MacroSection;
  /** The macro names, e.g. `['AWS::Include']`. */
  names: string[];
}

/** The template without section-level `Fn::Transform` keys, and the macros they call. */
export function liftSectionMacros(template: TemplateBody): {
  template: TemplateBody;
  macros: SectionMacro[];
} {
  const macros: SectionMacro[] = [];
  let out = template;
  for (const section of SECTIONS) {
    const value = out[section];
    if (!isMapping(value) || !Object.hasOwn(value, MACRO_KEY)) continue;
    const { [MACRO_KEY]: call, ...rest } = value;
    macros.push({ section, names: macroNames(call, `${section}.${MACRO_KEY}`) });
    out = { ...out, [section]: rest };
  }
  return { template: out, macros };
}

/** The unknown that stands for a name only the section's macro may define. */
export function macroUnknown(macro: SectionMacro, name: string): UnknownValue {
  const names = macro.names.join(', ');
  const unknown = new UnknownValue(
    `Fn::Transform ${names}`,
    `${name} is not declared in ${macro.section}, and the macro ${names} that adds to ` +
      `${macro.section} may define it; read the processed template to know it`,
  );
  return identified(unknown, `Fn::Transform ${macro.section} ${name}`);
}

function macroNames(call: unknown, where: string): string[] {
  const calls = Array.isArray(call) ? call : [call];
  const names = calls.map((item) => (isMapping(item) ? item.Name : undefined));
  if (names.length === 0 || names.some((name) => typeof name !== 'string')) {
    throw new TemplateError(where, `needs { Name, Parameters }, received ${describeValue(call)}`);
  }
  return names as string[];
}
