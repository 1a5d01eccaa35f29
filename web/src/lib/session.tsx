import { createContext, useContext } from 'react';
import type { CollectionConfig, SelfUser } from '../api/types';

export interface Session {
  user: SelfUser;
  configs: CollectionConfig[];
  isAdmin: boolean;
  /** Display name of a collection ("Broker Account" for brokerAccount). */
  collectionTitle: (collection: string) => string;
  configOf: (collection: string) => CollectionConfig | undefined;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside of a signed-in page');
  return session;
}

const FALLBACK_TITLES: Record<string, string> = {
  environment: 'Environment',
  project: 'Project',
  service: 'Service',
  serviceInstance: 'Instance',
  user: 'User',
  brokerAccount: 'Broker Account',
  team: 'Team',
  server: 'Server',
  repository: 'Repository',
  cloud: 'Cloud',
  openshiftProject: 'OpenShift Project',
};

export function makeCollectionTitle(configs: CollectionConfig[]) {
  return (collection: string): string =>
    configs.find((c) => c.collection === collection)?.name ??
    FALLBACK_TITLES[collection] ??
    collection;
}
