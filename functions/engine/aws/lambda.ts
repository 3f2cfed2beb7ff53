/**
 * The Lambda adapter: a synchronous invocation of a deployed function with a JSON payload,
 * used by the CLI's `self-check` to run the drift guard where it is deployed.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type ClientSettings, clientConfig } from './clients';

/** Lambda's longest run; a synchronous invocation's socket must stay open that long. */
const LONGEST_RUN_MS = 15 * 60 * 1000;

export interface Invocation {
  statusCode: number;
  /** `Unhandled` or `Handled` when the function raised an error; the payload then describes it. */
  functionError: string | null;
  /** The function's response, parsed as JSON; its raw text when it is not JSON. */
  payload: unknown;
}

export class LambdaAdapter {
  constructor(
    readonly client: LambdaClient = new LambdaClient(
      clientConfig({ requestTimeoutMs: LONGEST_RUN_MS + 30_000 }),
    ),
  ) {}

  /** An adapter whose calls may wait as long as a function can run. */
  static create(settings: ClientSettings = {}): LambdaAdapter {
    const config = clientConfig({ requestTimeoutMs: LONGEST_RUN_MS + 30_000, ...settings });
    return new LambdaAdapter(new LambdaClient(config));
  }

  /** Invokes a function by name or ARN and waits for its response. */
  async invoke(functionName: string, payload: unknown): Promise<Invocation> {
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(payload), 'utf8'),
      }),
    );
    const text = out.Payload === undefined ? '' : Buffer.from(out.Payload).toString('utf8');

    return {
      statusCode: out.StatusCode ?? 0,
      functionError: out.FunctionError ?? null,
      payload: parseJson(text),
    };
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
