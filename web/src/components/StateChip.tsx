import { Chip } from '@mui/material';
import type { LookupState } from '../api';
import { tokenStateView } from '../lib/format';

export function StateChip({
  state,
  graceUntil,
}: {
  state: LookupState;
  graceUntil?: string | null;
}) {
  const view = tokenStateView(state, graceUntil);
  return (
    <Chip
      size="small"
      label={view.label}
      color={view.color}
      title={view.description}
      data-state={state}
    />
  );
}
