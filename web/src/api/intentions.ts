/**
 * Intention history of a broker account (GET /v1/collection/broker-account/:id/intentions):
 * who opened what, when, why (event.reason) and how it ended. The API never returns a live
 * intention or action token, so nothing here is secret.
 */
import { request } from './client';

export type IntentionOutcome = 'success' | 'failure' | 'unknown' | 'rejected' | 'open';

export interface IntentionAction {
  action: string;
  id: string;
  service?: {
    name?: string;
    project?: string;
    environment?: string;
    target?: { name?: string; project?: string; environment?: string };
  };
  lifecycle?: string;
  trace?: { outcome?: string };
  ruleViolation?: { message: string; key: string };
}

export interface Intention {
  id: string;
  closed?: boolean;
  expiry?: number;
  event: { provider?: string; reason?: string; url?: string; transient?: boolean };
  user?: { name?: string; full_name?: string; domain?: string };
  transaction?: { start?: string; end?: string; duration?: number; outcome?: string };
  actions: IntentionAction[];
}

export interface IntentionPage {
  data: Intention[];
  meta: { total: number };
}

export interface IntentionQuery {
  offset: number;
  limit: number;
  /** Empty for every outcome. */
  outcome?: IntentionOutcome | '';
}

export function listAccountIntentions(
  accountId: string,
  query: IntentionQuery,
): Promise<IntentionPage> {
  return request(
    'GET',
    `/v1/collection/broker-account/${encodeURIComponent(accountId)}/intentions`,
    {
      query: { offset: query.offset, limit: query.limit, outcome: query.outcome },
    },
  );
}

/** The outcome shown for an intention: its recorded outcome, or "open" while it is not closed. */
export function intentionOutcome(intention: Intention): IntentionOutcome {
  const recorded = intention.transaction?.outcome;
  if (recorded === 'success' || recorded === 'failure' || recorded === 'rejected') return recorded;
  if (recorded === 'unknown') return 'unknown';
  return intention.closed ? 'unknown' : 'open';
}

/** "backup fluent/fluent-bit (production)", with "→ target" when the action has a target. */
export function describeAction(action: IntentionAction): string {
  const service = action.service ?? {};
  const where = [service.project, service.name].filter(Boolean).join('/');
  const target = service.target?.name ? ` → ${service.target.name}` : '';
  const env = service.target?.environment ?? service.environment;
  return `${action.action} ${where}${target}${env ? ` (${env})` : ''}`.trim();
}
