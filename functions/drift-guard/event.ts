/**
 * The payloads the drift guard accepts: what the schedule sends, and what an on-demand
 * self-check sends. Anything else is refused with the accepted forms.
 */
import { InputError } from '../engine/errors';
import { scrubText } from '../engine/log';

export type DriftGuardEvent = { action: 'check' } | { action: 'self-check'; notify: boolean };

/** The payload is none of the accepted ones. */
export class EventError extends InputError {}

export const ACCEPTED_PAYLOADS =
  '{"action": "check"} (check and notify, as the schedule does) or ' +
  '{"action": "self-check", "notify": false} (check and return the report; "notify": true ' +
  'also notifies)';

/** Reads an invocation payload; throws an EventError naming the accepted payloads. */
export function parseEvent(event: unknown): DriftGuardEvent {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw refused('the payload is not a JSON object', event);
  }
  const { action, notify, ...rest } = event as Record<string, unknown>;
  const extra = Object.keys(rest);

  if (action === 'check') {
    if (notify !== undefined || extra.length > 0) {
      throw refused(
        `"check" takes no other members, and got ${listed([...maybe(notify), ...extra])}`,
        event,
      );
    }
    return { action: 'check' };
  }
  if (action === 'self-check') {
    if (notify !== undefined && typeof notify !== 'boolean') {
      throw refused('"notify" must be true or false', event);
    }
    if (extra.length > 0) throw refused(`unknown members ${listed(extra)}`, event);
    return { action: 'self-check', notify: notify === true };
  }
  const why = action === undefined ? 'it has no "action"' : 'its "action" is not one of them';
  throw refused(why, event);
}

function maybe(notify: unknown): string[] {
  return notify === undefined ? [] : ['notify'];
}

function listed(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

function refused(why: string, event: unknown): EventError {
  return new EventError(
    `Payload: expected ${ACCEPTED_PAYLOADS}; ${why}; received ${shown(event)}.`,
  );
}

function shown(event: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(event) ?? String(event);
  } catch {
    text = String(event);
  }
  text = scrubText(text);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
