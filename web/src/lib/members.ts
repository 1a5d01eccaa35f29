import { TEAM_ROLES, type Combo, type Connection } from '../api/types';

export interface RoleGroup {
  role: string;
  title: string;
  items: Connection[];
}

/** A team's members grouped by role, in the catalogue's role order. */
export function teamMembers(combo: Combo): RoleGroup[] {
  return TEAM_ROLES.map((role) => ({
    role: role.name,
    title: role.title,
    items: combo.upstream
      .filter((c) => c.vertex.collection === 'user' && c.edge.name === role.name)
      .sort((a, b) => a.vertex.name.localeCompare(b.vertex.name)),
  })).filter((group) => group.items.length > 0);
}

export function roleTitle(name: string): string {
  return TEAM_ROLES.find((r) => r.name === name)?.title ?? name;
}
