import { createContext, useContext } from 'react';

export type Severity = 'success' | 'info' | 'warning' | 'error';

export const NotifyContext = createContext<(text: string, severity?: Severity) => void>(() => {});

/** Shows a snackbar message that says what happened. */
export function useNotify() {
  return useContext(NotifyContext);
}
