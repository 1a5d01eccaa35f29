import { describe, expect, it } from 'vitest';
import { classifySearchInput, looksLikeToken, normalizeToken } from './detect';

const b64 = (o: unknown) =>
  btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ client_id: 'c', jti: 'j' })}.c2lnbmF0dXJl`;

describe('search input detection', () => {
  it('recognises a compact JWS', () => {
    expect(looksLikeToken(token)).toBe(true);
    expect(classifySearchInput(`  ${token}\n`)).toBe('token');
    expect(classifySearchInput(`Bearer ${token}`)).toBe('token');
  });

  it('rejects things that only look dotted', () => {
    expect(looksLikeToken('a.b.c')).toBe(false);
    expect(looksLikeToken('fluent.bit.service')).toBe(false);
    expect(looksLikeToken(`${token}.extra`)).toBe(false);
    expect(looksLikeToken(`${b64({ typ: 'JWT' })}.e30.c2ln`)).toBe(false);
    expect(looksLikeToken(`${b64({ alg: 'RS256' })}..c2ln`)).toBe(false);
    expect(looksLikeToken(`${b64({ alg: 'RS256' })}.e3=0.c2ln`)).toBe(false);
  });

  it('tells a client_id from free text', () => {
    expect(classifySearchInput('6d1c3b9e-2f4a-4c1e-9a7b-1f2e3d4c5b6a')).toBe('clientId');
    expect(classifySearchInput('ci-deployer')).toBe('text');
    expect(classifySearchInput('   ')).toBe('empty');
  });

  it('normalises a pasted token', () => {
    expect(normalizeToken(` bearer ${token} `)).toBe(token);
  });
});
