import { useEffect, useRef } from 'react';
import { TOKEN_EVENTS_URL } from '../api';

/**
 * Calls `onChange(clientId)` for every token change the server announces on the account
 * events stream. EventSource reconnects by itself after a dropped connection.
 */
export function useTokenEvents(onChange: (clientId: string) => void): void {
  const handler = useRef(onChange);
  handler.current = onChange;

  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    const source = new EventSource(TOKEN_EVENTS_URL, { withCredentials: true });
    source.onmessage = (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as { clientId?: string };
        if (data.clientId) handler.current(data.clientId);
      } catch {
        // Heartbeats and malformed lines carry no change.
      }
    };
    return () => source.close();
  }, []);
}
