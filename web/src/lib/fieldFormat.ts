import type { FieldConfig } from '../api/types';
import { formatDateTime } from './format';

/** A field value as table text: Yes/No, dates, comma lists. */
export function formatField(value: unknown, field?: FieldConfig): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (field?.type === 'date' && typeof value === 'string') return formatDateTime(value);
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
