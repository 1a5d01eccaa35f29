import type { Connection } from '../api/types';

export type Direction = 'upstream' | 'downstream';

export interface ConnectionGroup {
  direction: Direction;
  collection: string;
  items: Connection[];
}

/** Connections grouped by direction, then collection, each group sorted by name. */
export function groupConnections(
  upstream: Connection[],
  downstream: Connection[],
): ConnectionGroup[] {
  const groups: ConnectionGroup[] = [];
  const add = (direction: Direction, list: Connection[]) => {
    const byCollection = new Map<string, Connection[]>();
    for (const item of list) {
      const key = item.vertex.collection;
      byCollection.set(key, [...(byCollection.get(key) ?? []), item]);
    }
    for (const [collection, items] of [...byCollection].sort(([a], [b]) => a.localeCompare(b))) {
      items.sort((a, b) => a.vertex.name.localeCompare(b.vertex.name));
      groups.push({ direction, collection, items });
    }
  };
  add('downstream', downstream);
  add('upstream', upstream);
  return groups;
}

/** Where a connected object opens: its page when the id is known, else via its vertex. */
export function connectionHref(item: Connection): string {
  if (item.collection?.id) return `/browse/${item.vertex.collection}/${item.collection.id}`;
  return `/vertex/${item.vertex.collection}/${item.vertex.id}`;
}

export function arrow(direction: Direction): string {
  return direction === 'downstream' ? '↓' : '↑';
}
