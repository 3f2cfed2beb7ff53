import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AwsSetupError,
  explainSetupErrors,
  setupProblem,
} from '../../../../functions/engine/aws/clients';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' };

/** An HTTP handler standing in for the network: every request fails with `error`. */
function failingHandler(error: Error) {
  return {
    handle: async () => {
      throw error;
    },
  };
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
}

function describeStack(client: CloudFormationClient) {
  return client.send(new DescribeStacksCommand({ StackName: 'mini' }));
}

describe('explainSetupErrors', () => {
  it('says no credentials were found, for which service, and what to set', async () => {
    const noCredentials = Object.assign(
      new Error('Could not load credentials from any providers'),
      {
        name: 'CredentialsProviderError',
      },
    );
    const client = explainSetupErrors(
      new CloudFormationClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:1',
        credentials: async () => {
          throw noCredentials;
        },
        requestHandler: failingHandler(refused()),
      }),
    );

    const error = await describeStack(client).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsSetupError);
    expect((error as Error).message).toMatch(/^No AWS credentials found for CloudFormation: /);
    expect((error as Error).message).toMatch(/AWS_PROFILE.*AWS_ACCESS_KEY_ID/);
    expect((error as Error).cause).toBe(noCredentials);
  });

  it('names the service, the endpoint and the variable that set it when nothing listens', async () => {
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = 'http://127.0.0.1:1';
    try {
      const client = explainSetupErrors(
        new CloudFormationClient({
          region: 'us-east-1',
          credentials: KEYS,
          maxAttempts: 1,
          requestHandler: failingHandler(refused()),
        }),
      );

      await expect(describeStack(client)).rejects.toThrow(
        'Could not connect to CloudFormation at http://127.0.0.1:1 ' +
          '(AWS_ENDPOINT_URL_CLOUDFORMATION is set to http://127.0.0.1:1): the connection was ' +
          'refused: nothing listens there (ECONNREFUSED). Start what it names, or unset ' +
          "AWS_ENDPOINT_URL_CLOUDFORMATION to use the region's endpoint.",
      );
    } finally {
      delete process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
    }
  });

  it('passes every other error on unchanged', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const client = explainSetupErrors(
      new CloudFormationClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:1',
        credentials: KEYS,
        maxAttempts: 1,
        requestHandler: failingHandler(denied),
      }),
    );

    await expect(describeStack(client)).rejects.toBe(denied);
  });
});

describe('setupProblem', () => {
  it("names the region's endpoint when no variable sets one, and an unresolvable host", () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND iam.amazonaws.com'), {
      code: 'ENOTFOUND',
    });

    const message = setupProblem(notFound, 'IAM', new URL('https://iam.amazonaws.com/'), {});

    expect(message).toBe(
      "Could not connect to IAM at https://iam.amazonaws.com (the region's endpoint): the host " +
        'name does not resolve (ENOTFOUND). Check the network connection, a proxy in the way, ' +
        'and the region (--region or AWS_REGION).',
    );
  });

  it('counts a connection that never opened in time, and never shows a password in a URL', () => {
    const timeout = Object.assign(
      new Error('the request socket did not establish a connection with the server'),
      { name: 'TimeoutError' },
    );

    const message = setupProblem(timeout, 'Lambda', new URL('http://u:pw@10.0.0.1:4566/'), {
      AWS_ENDPOINT_URL: 'http://u:pw@10.0.0.1:4566',
    });

    expect(message).toContain('no connection within 3 s');
    expect(message).toContain('AWS_ENDPOINT_URL is set to http://10.0.0.1:4566');
    expect(message).not.toContain('pw');
  });

  it('leaves a timeout after the request was sent to the caller', () => {
    const read = Object.assign(new Error('socket timed out after 15000 ms'), {
      name: 'TimeoutError',
    });

    expect(setupProblem(read, 'IAM', undefined, {})).toBeUndefined();
  });
});
