import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './returnPath';

describe('safeReturnPath', () => {
  it('keeps same-origin deep links', () => {
    expect(safeReturnPath('/browse/brokerAccount/a1/token')).toBe('/browse/brokerAccount/a1/token');
    expect(safeReturnPath('/browse/team?show=connected')).toBe('/browse/team?show=connected');
  });

  it('refuses anything that could leave the origin or loop', () => {
    for (const bad of [null, '', 'https://evil.example', '//evil.example', '/\\evil', '/signin']) {
      expect(safeReturnPath(bad)).toBe('/');
    }
  });
});
