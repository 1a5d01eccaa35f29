/**
 * A same-origin path to return to after sign-in, or "/" when the value could send the
 * browser elsewhere ("//host", "https://...", "/\\host").
 */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith('/')) return '/';
  if (value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (value.startsWith('/signin')) return '/';
  return value;
}
