/** What the global search field holds, decided without sending it anywhere. */
export type SearchInputKind = 'token' | 'clientId' | 'text' | 'empty';

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when the text is a compact JWS: three non-empty base64url segments whose first
 * decodes to a JSON header with an `alg`. Surrounding whitespace and a "Bearer " prefix
 * (as copied from a header) are ignored.
 */
export function looksLikeToken(raw: string): boolean {
  const text = stripBearer(raw.trim());
  const parts = text.split('.');
  if (parts.length !== 3) return false;
  if (!parts.every((part) => part.length > 0 && BASE64URL_SEGMENT.test(part))) return false;
  const header = decodeJsonSegment(parts[0]);
  return header !== null && typeof header === 'object' && 'alg' in header;
}

export function looksLikeClientId(raw: string): boolean {
  return UUID.test(raw.trim());
}

export function classifySearchInput(raw: string): SearchInputKind {
  const text = raw.trim();
  if (!text) return 'empty';
  if (looksLikeToken(text)) return 'token';
  if (looksLikeClientId(text)) return 'clientId';
  return 'text';
}

/** The token without whitespace or a "Bearer " prefix, ready for the look-up body. */
export function normalizeToken(raw: string): string {
  return stripBearer(raw.trim());
}

function stripBearer(text: string): string {
  return text.replace(/^bearer\s+/i, '');
}

function decodeJsonSegment(segment: string): unknown {
  try {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    return JSON.parse(atob(padded));
  } catch {
    return null;
  }
}
