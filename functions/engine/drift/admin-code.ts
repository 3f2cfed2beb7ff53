/**
 * Running code as another role: the requests an admin-equivalence judgement asks about besides
 * the IAM escalations (see `admin.ts`). Whoever may make one of them on any such resource of the
 * account runs code, or a shell, under a role it does not hold, that of a function, an instance,
 * a task, a build project, a stack or a development endpoint, and so holds what that role holds:
 * this is why PowerUserAccess counts as administrator access.
 *
 * - `lambda:UpdateFunctionCode`: a function's code runs under the function's role.
 * - `ssm:SendCommand`, `ssm:StartSession`, `ec2-instance-connect:SendSSHPublicKey`: a command
 *   or a shell on an instance runs under its instance profile's role.
 * - `ecs:ExecuteCommand`: a shell in a task runs under the task's role.
 * - `codebuild:StartBuild`: a build, its buildspec overridden at start, runs under the
 *   project's service role.
 * - `cloudformation:UpdateStack`: a stack updated without a role named uses the service role it
 *   was created with, and creates whatever the new template says.
 * - `glue:UpdateDevEndpoint`: a public key added to a development endpoint opens a shell under
 *   its role.
 *
 * Actions that need `iam:PassRole` as well (`lambda:CreateFunction`, `ec2:RunInstances`,
 * `cloudformation:CreateStack`) are not asked: `iam:PassRole` on any role counts by itself.
 *
 * Each is asked on one resource of its kind that no policy names (named from the document's
 * first probe name, see `probeNames`), in each region the document's ARNs name (the first
 * three) and `us-east-1`. Limitation: a grant limited to one region the document does not name,
 * or a Deny of `us-east-1` and of the regions it names, hides a grant in the other regions.
 */
import type { EscalationRequest } from './admin-requests';

/** The code-execution actions, each with the ARN of a resource of its kind (module comment). */
type Arn = (region: string, account: string, name: string) => string;
const CODE_EXECUTION: readonly (readonly [string, string, Arn])[] = [
  ['lambda:UpdateFunctionCode', 'function', (r, a, n) => `lambda:${r}:${a}:function:${n}`],
  ['ssm:SendCommand', 'instance', (r, a, n) => `ec2:${r}:${a}:instance/i-${n}`],
  ['ssm:StartSession', 'instance', (r, a, n) => `ec2:${r}:${a}:instance/i-${n}`],
  [
    'ec2-instance-connect:SendSSHPublicKey',
    'instance',
    (r, a, n) => `ec2:${r}:${a}:instance/i-${n}`,
  ],
  ['ecs:ExecuteCommand', 'task', (r, a, n) => `ecs:${r}:${a}:task/${n}/${n}`],
  ['codebuild:StartBuild', 'build project', (r, a, n) => `codebuild:${r}:${a}:project/${n}`],
  ['cloudformation:UpdateStack', 'stack', (r, a, n) => `cloudformation:${r}:${a}:stack/${n}/${n}`],
  [
    'glue:UpdateDevEndpoint',
    'development endpoint',
    (r, a, n) => `glue:${r}:${a}:devEndpoint/${n}`,
  ],
];

/** The code-execution actions' names, by which a judgement picks the statements it reads. */
export const CODE_ACTIONS = CODE_EXECUTION.map(([action]) => action);

/** Where a judgement asks about running code as another role. */
export interface CodeScope {
  partition: string;
  account: string;
  /** The document as text, for the regions its ARNs name. */
  text: string;
  /** A name no policy singles out. */
  name: string;
}

/** Every code-execution request for the scope (see the module comment). */
export function codeRequests(scope: CodeScope): EscalationRequest[] {
  const named = scope.text.matchAll(/arn:[\w-]+:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d):/g);
  const regions = [...new Set([...named].map((m) => m[1]))].slice(0, 3);
  if (!regions.includes('us-east-1')) regions.push('us-east-1');
  return CODE_EXECUTION.flatMap(([action, , arn]) =>
    regions.map((region) => ({
      action,
      resource: `arn:${scope.partition}:${arn(region, scope.account, scope.name)}`,
    })),
  );
}

/** A code-execution request found allowed, in words: `lambda:UpdateFunctionCode on any ...`. */
export function codeText(request: EscalationRequest): string {
  const kind = CODE_EXECUTION.find(([action]) => action === request.action)?.[1];
  const runs = 'with which it runs code as another role';
  return `${request.action} on any ${kind} of this account, ${runs}`;
}
