import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IAMClient } from '@aws-sdk/client-iam';
import { clientConfig, DEFAULT_MAX_ATTEMPTS } from '../../../../functions/engine/aws/clients';
import {
  decodeIamDocument,
  IamAdapter,
  iamRetryStrategy,
  PolicyDocumentError,
} from '../../../../functions/engine/aws/iam';

describe('iamRetryStrategy', () => {
  it.each([[DEFAULT_MAX_ATTEMPTS], [5]])(
    'gives a throttled call %i attempts, not the SDK default of 3',
    async (maxAttempts) => {
      const strategy = iamRetryStrategy(maxAttempts);

      expect(await strategy.maxAttemptsProvider()).toBe(maxAttempts);
    },
  );
});

describe('decodeIamDocument', () => {
  it('decodes URL-encoded documents and takes JSON text as it is', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*' }] };

    expect(decodeIamDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodeIamDocument(JSON.stringify(doc))).toEqual(doc);
    expect(decodeIamDocument(undefined)).toBeUndefined();
  });

  it.each([
    ['not JSON', 'secret-ish text', 'is not JSON (or is URL-encoded twice)'],
    ['badly percent-encoded', '%E0%A4%A', 'is not valid URL encoding'],
    ['URL-encoded twice', encodeURIComponent(encodeURIComponent('{}')), 'is not JSON'],
    ['empty', '', 'is empty'],
    ['JSON null', 'null', 'is JSON null, not an object'],
    ['a JSON array', '[1]', 'is JSON an array, not an object'],
  ])(
    'refuses a document that is %s with a PolicyDocumentError not quoting it',
    (_n, text, says) => {
      const decode = () => decodeIamDocument(text);

      expect(decode).toThrow(PolicyDocumentError);
      expect(decode).toThrow(`the policy document ${says}`);
      expect(decode).not.toThrow(/secret-ish|%E0/);
    },
  );
});

describe('IamAdapter against an IAM stand-in on loopback', () => {
  let server: Server;
  let requests: string[];
  let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        requests.push(body);
        answer(req, res, body);
      });
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  });

  beforeEach(() => {
    requests = [];
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  });

  function adapter(): IamAdapter {
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = clientConfig({ region: 'us-east-1', requestTimeoutMs: 60_000 });
    return new IamAdapter(new IAMClient({ ...config, endpoint }));
  }

  it('reads a role as before when no abort signal is given', async () => {
    answer = (_req, res) => {
      res.setHeader('content-type', 'text/xml');
      res.end(
        '<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult>' +
          '<Role><RoleName>acme-tenant</RoleName><RoleId>AROAEXAMPLE</RoleId><Path>/</Path>' +
          '<Arn>arn:aws:iam::123456789012:role/acme-tenant</Arn>' +
          '<CreateDate>2026-01-01T00:00:00Z</CreateDate></Role></GetRoleResult>' +
          '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetRoleResponse>',
      );
    };

    const role = await adapter().getRole('acme-tenant');

    expect(role).toMatchObject({ RoleName: 'acme-tenant', RoleId: 'AROAEXAMPLE' });
    expect(requests).toEqual([expect.stringContaining('Action=GetRole')]);
  });

  it('stops a call IAM has not answered once its abort signal fires, without retrying it', async () => {
    const controller = new AbortController();
    answer = () => controller.abort();

    const read = adapter().getRole('acme-tenant', { abortSignal: controller.signal });

    await expect(read).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toHaveLength(1);
  });

  it('stops a paginated list between pages once its abort signal fires', async () => {
    const controller = new AbortController();
    answer = (_req, res) => {
      res.setHeader('content-type', 'text/xml');
      res.end(
        '<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult>' +
          '<Roles/><IsTruncated>true</IsTruncated><Marker>m</Marker></ListRolesResult>' +
          '<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></ListRolesResponse>',
      );
      controller.abort();
    };

    const listed = adapter().listRoles('/', undefined, { abortSignal: controller.signal });

    await expect(listed).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toHaveLength(1);
  });
});
