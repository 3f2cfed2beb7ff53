/**
 * The CloudTrail adapter: event history look-ups for attributing drift. CloudTrail allows two
 * LookupEvents requests a second per account and region, so every request waits its turn on a
 * client-side {@link RequestPacer}; throttling that still happens (another caller in the
 * account) is retried by the SDK's adaptive mode.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { type ClientSettings, clientConfig, explainSetupErrors } from './clients';

/** CloudTrail's documented LookupEvents limit, per account and region. */
export const LOOKUP_EVENTS_PER_SECOND = 2;

/** The most events LookupEvents returns on one page. */
const PAGE_SIZE = 50;

/**
 * Spaces calls so that no more than `perSecond` start in any second. Calls are served in the
 * order they asked; the clock and the sleep are injectable for tests.
 */
export class RequestPacer {
  private next = 0;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = delay,
  ) {
    this.intervalMs = Math.ceil(1000 / perSecond);
  }

  /** Resolves when the caller may send its request. */
  async turn(): Promise<void> {
    const now = this.clock();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One management event, with the parts attribution reads; the request itself is dropped. */
export interface TrailEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  eventTime: Date;
  /** Names and ARNs the event touched: CloudTrail's resource list plus request parameters. */
  resourceNames: string[];
  /** The identity that made the call, as CloudTrail recorded it. */
  userIdentity: TrailIdentity;
  sourceIp: string | null;
  /** Set when the call failed (it then changed nothing). */
  errorCode: string | null;
}

export interface TrailIdentity {
  type: string;
  arn: string | null;
  principalId: string | null;
  /** For an assumed-role session: the role behind it. */
  sessionIssuerArn: string | null;
  /** For a call an AWS service made on someone's behalf, e.g. `cloudformation.amazonaws.com`. */
  invokedBy: string | null;
  userName: string | null;
}

export interface LookupRequest {
  /** The value of the ResourceName lookup attribute: a role name, a policy ARN, ... */
  resourceName: string;
  start: Date;
  end: Date;
  /** Pages to follow at most (50 events each, newest first). */
  maxPages: number;
}

export interface LookupResult {
  events: TrailEvent[];
  /** Requests sent for this look-up. */
  requests: number;
  /** Whether more pages existed than `maxPages` allowed. */
  truncated: boolean;
}

/** Request parameters whose values name IAM resources; nothing else of a request is kept. */
const NAMING_PARAMETERS = ['roleName', 'policyName', 'policyArn', 'userName', 'groupName'];

export class CloudTrailAdapter {
  /** LookupEvents requests sent through this adapter; for benchmarks and tests. */
  requests = 0;

  constructor(
    readonly client: CloudTrailClient = explainSetupErrors(new CloudTrailClient(clientConfig())),
    private readonly pacer = new RequestPacer(LOOKUP_EVENTS_PER_SECOND),
  ) {}

  /** An adapter for one region; attribution passes the partition's IAM region. */
  static create(settings: ClientSettings = {}): CloudTrailAdapter {
    return new CloudTrailAdapter(explainSetupErrors(new CloudTrailClient(clientConfig(settings))));
  }

  /** Management events that touched a resource within a time window, newest first. */
  async lookupByResourceName(request: LookupRequest): Promise<LookupResult> {
    const events: TrailEvent[] = [];
    let token: string | undefined;
    let pages = 0;

    do {
      await this.pacer.turn();
      this.requests += 1;
      const page = await this.client.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'ResourceName', AttributeValue: request.resourceName },
          ],
          StartTime: request.start,
          EndTime: request.end,
          MaxResults: PAGE_SIZE,
          NextToken: token,
        }),
      );
      pages += 1;
      for (const raw of page.Events ?? []) events.push(toTrailEvent(raw));
      token = page.NextToken;
    } while (token !== undefined && pages < request.maxPages);

    return { events, requests: pages, truncated: token !== undefined };
  }
}

interface RawEvent {
  EventId?: string;
  EventName?: string;
  EventSource?: string;
  EventTime?: Date;
  Resources?: { ResourceName?: string }[];
  CloudTrailEvent?: string;
}

/** Maps a LookupEvents entry, reading only identity, source and naming parameters. */
export function toTrailEvent(raw: RawEvent): TrailEvent {
  const detail = parseDetail(raw.CloudTrailEvent);
  const identity = asRecord(detail.userIdentity);
  const issuer = asRecord(asRecord(identity.sessionContext).sessionIssuer);
  const parameters = asRecord(detail.requestParameters);
  const names = new Set<string>();

  for (const resource of raw.Resources ?? []) {
    if (resource.ResourceName) names.add(resource.ResourceName);
  }
  for (const key of NAMING_PARAMETERS) {
    const value = parameters[key];
    if (typeof value === 'string' && value.length > 0) names.add(value);
  }

  return {
    eventId: raw.EventId ?? '',
    eventName: raw.EventName ?? text(detail.eventName) ?? '',
    eventSource: raw.EventSource ?? text(detail.eventSource) ?? '',
    eventTime: raw.EventTime ?? new Date(text(detail.eventTime) ?? 0),
    resourceNames: [...names],
    userIdentity: {
      type: text(identity.type) ?? 'Unknown',
      arn: text(identity.arn),
      principalId: text(identity.principalId),
      sessionIssuerArn: text(issuer.arn),
      invokedBy: text(identity.invokedBy),
      userName: text(identity.userName),
    },
    sourceIp: text(detail.sourceIPAddress),
    errorCode: text(detail.errorCode),
  };
}

function parseDetail(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  try {
    return asRecord(JSON.parse(json));
  } catch {
    return {};
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
