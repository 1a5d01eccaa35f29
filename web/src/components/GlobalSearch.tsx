import SearchIcon from '@mui/icons-material/Search';
import { Autocomplete, Box, InputAdornment, TextField, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, lookupToken, typeahead, type TokenLookup, type VertexRef } from '../api';
import { classifySearchInput, normalizeToken } from '../lib/detect';
import { expiresInText, expToDate, shortId, tokenStateView } from '../lib/format';
import { useSession } from '../lib/session';
import { TokenLookupDialog, type LookupOutcome } from './TokenLookupDialog';

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;

type SearchOption =
  | { kind: 'vertex'; group: string; vertex: VertexRef }
  | { kind: 'lookup'; group: string; lookup: TokenLookup };

function optionKey(option: SearchOption): string {
  return option.kind === 'vertex' ? `v:${option.vertex.id}` : `l:${option.lookup.account.id}`;
}

function LookupOptionText({ lookup }: { lookup: TokenLookup }) {
  const state = lookup.jti ? tokenStateView(lookup.state, lookup.graceUntil) : null;
  return (
    <Box>
      <Typography variant="body2" fontWeight={500}>
        {lookup.account.name} — token page
      </Typography>
      <Typography variant="caption" color="text.secondary">
        {lookup.jti
          ? `JTI ${shortId(lookup.jti)} · ${state?.label}` +
            (lookup.exp ? ` · ${expiresInText(expToDate(lookup.exp))}` : '')
          : 'No token issued yet'}
      </Typography>
    </Box>
  );
}

/**
 * The toolbar search: names and client_ids through the typeahead; a pasted token goes to
 * the look-up endpoint in a request body, and is cleared from the field at once.
 */
export function GlobalSearch() {
  const navigate = useNavigate();
  const { collectionTitle } = useSession();
  const [input, setInput] = useState('');
  const [options, setOptions] = useState<SearchOption[]>([]);
  const [loading, setLoading] = useState(false);
  const [outcome, setOutcome] = useState<LookupOutcome | null>(null);
  const generation = useRef(0);

  const runTokenLookup = (raw: string) => {
    const token = normalizeToken(raw);
    setInput('');
    setOptions([]);
    setOutcome({ kind: 'loading' });
    lookupToken(token).then(
      (lookup) => setOutcome({ kind: 'found', lookup }),
      (err: unknown) =>
        setOutcome({
          kind: 'error',
          message:
            err instanceof ApiError && err.status === 404
              ? 'No broker account matches this token.'
              : (err as Error).message,
        }),
    );
  };

  useEffect(() => {
    const text = input.trim();
    const kind = classifySearchInput(text);
    const mine = ++generation.current;
    if (kind === 'token') {
      runTokenLookup(text);
      return undefined;
    }
    if (text.length < MIN_CHARS) {
      setOptions([]);
      return undefined;
    }
    const timer = window.setTimeout(async () => {
      setLoading(true);
      const [found, lookup] = await Promise.all([
        typeahead(text).catch(() => ({ data: [] as VertexRef[] })),
        kind === 'clientId' ? lookupToken(text).catch(() => null) : Promise.resolve(null),
      ]);
      if (mine !== generation.current) return;
      const vertices: SearchOption[] = found.data
        .map((vertex) => ({
          kind: 'vertex' as const,
          group: collectionTitle(vertex.collection),
          vertex,
        }))
        .sort(
          (a, b) => a.group.localeCompare(b.group) || a.vertex.name.localeCompare(b.vertex.name),
        );
      const lookups: SearchOption[] = lookup ? [{ kind: 'lookup', group: 'Token', lookup }] : [];
      setOptions([...lookups, ...vertices]);
      setLoading(false);
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [input]);

  const choose = (option: SearchOption) => {
    setInput('');
    setOptions([]);
    if (option.kind === 'lookup') {
      navigate(`/browse/brokerAccount/${option.lookup.account.id}/token`);
    } else {
      navigate(`/vertex/${option.vertex.collection}/${option.vertex.id}`);
    }
  };

  return (
    <>
      <Autocomplete<SearchOption, false, false, true>
        freeSolo
        size="small"
        options={options}
        loading={loading}
        inputValue={input}
        value={null}
        onInputChange={(_, value, reason) => reason !== 'reset' && setInput(value)}
        onChange={(_, value) => value && typeof value !== 'string' && choose(value)}
        filterOptions={(all) => all}
        groupBy={(option) => option.group}
        getOptionLabel={(option) =>
          typeof option === 'string'
            ? option
            : option.kind === 'vertex'
              ? option.vertex.name
              : option.lookup.account.name
        }
        isOptionEqualToValue={(a, b) => optionKey(a) === optionKey(b)}
        renderOption={(props, option) => {
          const { key, ...rest } = props as typeof props & { key: string };
          return (
            <li key={`${key}-${optionKey(option)}`} {...rest}>
              {option.kind === 'lookup' ? (
                <LookupOptionText lookup={option.lookup} />
              ) : (
                <Typography variant="body2">
                  {option.vertex.parentName ? `${option.vertex.parentName} > ` : ''}
                  {option.vertex.name}
                </Typography>
              )}
            </li>
          );
        }}
        renderInput={(params) => (
          <TextField
            {...params}
            placeholder="Search names, client_id or paste a token"
            inputProps={{
              ...params.inputProps,
              'aria-label': 'Search',
              autoComplete: 'off',
              spellCheck: false,
            }}
            InputProps={{
              ...params.InputProps,
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            }}
            sx={{
              bgcolor: 'background.paper',
              borderRadius: 1,
              '& .MuiOutlinedInput-root': { borderRadius: 1 },
            }}
          />
        )}
      />
      <TokenLookupDialog outcome={outcome} onClose={() => setOutcome(null)} />
    </>
  );
}
