import { externalIdProblems } from '../../../../functions/engine/validate/external-id';

const rules = (value: string) => externalIdProblems(value).map((p) => p.rule);

describe('externalIdProblems', () => {
  it.each([
    ['64 hex characters', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['a random UUID', '3b241101-e2bb-4255-8caf-4136c566a962'],
    ['base64-like text with every allowed symbol', 'Zk9+q=w,E.r@t:Y/u-I_o8P3aS5dF7gH1jK'],
  ])('accepts %s', (_label, value) => {
    expect(externalIdProblems(value)).toEqual([]);
  });

  it.each([
    ['one character', 'a', 'external-id-format'],
    ['1225 characters', `${'ab1'.repeat(408)}c`, 'external-id-format'],
    ['a space', '9f86d081884c7d659a2feaa0 c55ad015a3bf4f1b2', 'external-id-format'],
    ['a character IAM refuses', '9f86d081884c7d659a2feaa0#c55ad015a3bf4f1b2', 'external-id-format'],
    ['31 characters', '9f86d081884c7d659a2feaa0c55ad01', 'external-id-too-short'],
    ['one repeated character', 'x'.repeat(40), 'external-id-weak'],
    ['a repeated short block', 'a1b2c3'.repeat(7), 'external-id-weak'],
    ['a repeated long block', '9f86d081884c7d659a2f'.repeat(2), 'external-id-weak'],
    ['a sequence', 'abcdefghijklmnopqrstuvwxyz0123456789', 'external-id-weak'],
    ['a descending sequence', '9876543210zyxwvutsrqponmlkjihgfedcba', 'external-id-weak'],
    ['a placeholder word', 'my-example-external-id-4f9b2c81d3e6a7', 'external-id-weak'],
    ['few distinct characters', 'aabbaabbabababbbaaabbbabaabbbaabab12', 'external-id-weak'],
  ])('refuses %s', (_label, value, rule) => {
    expect(rules(value)).toEqual([rule]);
  });

  it('never puts the value or a part of it in a message', () => {
    const canary = 'CANARY#secret-value';

    const [problem] = externalIdProblems(canary);

    expect(problem.message).not.toContain('CANARY');
    expect(problem.message).toContain('U+0023');
  });
});
