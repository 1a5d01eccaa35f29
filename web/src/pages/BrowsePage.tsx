import {
  Alert,
  Box,
  Button,
  Card,
  FormControl,
  InputLabel,
  LinearProgress,
  MenuItem,
  Select,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TablePagination,
  TableRow,
  TableSortLabel,
  TextField,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { collectionName, searchCollection, type CollectionConfig, type SearchRow } from '../api';
import { PageHeader } from '../components/PageHeader';
import { formatField } from '../lib/fieldFormat';
import { useSession } from '../lib/session';
import { useAsync } from '../lib/useAsync';
import { NotFoundPage } from './NotFoundPage';

const PAGE_SIZES = [5, 10, 25, 100];

function defaultSort(config: CollectionConfig): { field: string; dir: 'asc' | 'desc' } {
  const sort = config.fieldDefaultSort;
  if (!sort) return { field: 'name', dir: 'asc' };
  const dir = sort.dir === -1 || sort.dir === 'desc' ? 'desc' : 'asc';
  return { field: sort.field, dir };
}

function BrowseRow({ row, config }: { row: SearchRow; config: CollectionConfig }) {
  const navigate = useNavigate();
  const open = () => navigate(`/browse/${config.collection}/${row.collection.id}`);
  return (
    <TableRow
      hover
      tabIndex={0}
      role="link"
      aria-label={`Open ${row.collection.name}`}
      onClick={open}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      }}
      sx={{
        cursor: 'pointer',
        '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main' },
      }}
      data-testid="browse-row"
    >
      {config.browseFields.map((field) => (
        <TableCell
          key={field}
          sx={{ maxWidth: 280, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
        >
          {formatField(row.collection[field], config.fields[field])}
        </TableCell>
      ))}
      <TableCell sx={{ whiteSpace: 'nowrap' }}>
        {row.upstream.length > 0 && (
          <span title="Upstream connections">↑ {row.upstream.length} </span>
        )}
        {row.downstream.length > 0 && (
          <span title="Downstream connections">↓ {row.downstream.length}</span>
        )}
      </TableCell>
    </TableRow>
  );
}

export function BrowsePage() {
  const params = useParams();
  const collection = collectionName(params.collection ?? '');
  const { configs, configOf, user } = useSession();
  const config = configOf(collection);
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const text = search.get('q') ?? '';
  const [filterInput, setFilterInput] = useState(text);
  const show =
    config?.permissions.filter && search.get('show') === 'connected' ? 'connected' : 'all';
  const page = Math.max(0, Number(search.get('page') ?? 0) || 0);
  const size = PAGE_SIZES.includes(Number(search.get('size'))) ? Number(search.get('size')) : 10;
  const sortDefault = config ? defaultSort(config) : { field: 'name', dir: 'asc' as const };
  const sort = search.get('sort') ?? sortDefault.field;
  const dir = (search.get('dir') as 'asc' | 'desc' | null) ?? sortDefault.dir;

  const update = (changes: Record<string, string | null>, replace = false) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    setSearch(next, { replace });
  };

  useEffect(() => setFilterInput(text), [text]);
  useEffect(() => {
    if (filterInput === text) return undefined;
    const scheduledOn = window.location.pathname;
    const timer = window.setTimeout(() => {
      // A row may have been opened meanwhile; the filter must not navigate back here.
      if (window.location.pathname === scheduledOn) update({ q: filterInput, page: null }, true);
    }, 300);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterInput]);

  const result = useAsync(
    () =>
      config
        ? searchCollection(collection, {
            offset: page * size,
            limit: size,
            q: text || undefined,
            upstreamVertex: show === 'connected' ? user.vertex : undefined,
            sort,
            dir,
          })
        : Promise.resolve({ data: [], meta: { total: 0 } }),
    [collection, page, size, text, show, sort, dir],
  );

  if (!config) return <NotFoundPage message={`There is no collection named "${collection}".`} />;
  const browsable = configs.filter((c) => c.permissions.browse);

  return (
    <Box>
      <PageHeader title="Browse" subtitle={config.hint} docTitle={`Browse ${config.name}`} />
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 2, alignItems: 'center' }}>
        <FormControl size="small" sx={{ minWidth: 200 }}>
          <InputLabel id="collection-label">Collection</InputLabel>
          <Select
            labelId="collection-label"
            label="Collection"
            value={collection}
            onChange={(e) => {
              // The Show choice is kept: switching collections must not silently change it.
              const next = new URLSearchParams();
              if (show === 'connected') next.set('show', 'connected');
              navigate(`/browse/${e.target.value}?${next.toString()}`);
            }}
          >
            {browsable.map((c) => (
              <MenuItem key={c.collection} value={c.collection}>
                {c.name}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        {config.permissions.filter && (
          <FormControl size="small" sx={{ minWidth: 140 }}>
            <InputLabel id="show-label">Show</InputLabel>
            <Select
              labelId="show-label"
              label="Show"
              value={show}
              onChange={(e) =>
                update({ show: e.target.value === 'connected' ? 'connected' : null, page: null })
              }
            >
              <MenuItem value="connected">Connected</MenuItem>
              <MenuItem value="all">All</MenuItem>
            </Select>
          </FormControl>
        )}
        <TextField
          size="small"
          label="Filter"
          value={filterInput}
          onChange={(e) => setFilterInput(e.target.value)}
          inputProps={{ autoComplete: 'off' }}
          sx={{ minWidth: 200, flexGrow: { xs: 1, sm: 0 } }}
        />
        <Button
          onClick={() => {
            setFilterInput('');
            update({ q: null, page: null, sort: null, dir: null });
          }}
        >
          Clear
        </Button>
      </Box>
      {show === 'connected' && (
        <Alert severity="info" sx={{ mb: 2 }}>
          Showing only {config.name} objects connected to you (through your teams).
        </Alert>
      )}
      <Card>
        {result.loading && <LinearProgress />}
        {result.error && <Alert severity="error">{result.error.message}</Alert>}
        <TableContainer>
          <Table size="small" aria-label={`${config.name} list`}>
            <TableHead>
              <TableRow>
                {config.browseFields.map((field) => (
                  <TableCell key={field} sortDirection={sort === field ? dir : false}>
                    <TableSortLabel
                      active={sort === field}
                      direction={sort === field ? dir : 'asc'}
                      onClick={() =>
                        update({
                          sort: field,
                          dir: sort === field && dir === 'asc' ? 'desc' : 'asc',
                          page: null,
                        })
                      }
                    >
                      {config.fields[field]?.name ?? field}
                    </TableSortLabel>
                  </TableCell>
                ))}
                <TableCell>Connections</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {result.data?.data.map((row) => (
                <BrowseRow key={row.collection.id} row={row} config={config} />
              ))}
              {result.data && result.data.data.length === 0 && (
                <TableRow>
                  <TableCell colSpan={config.browseFields.length + 1}>
                    No results found.{' '}
                    {show === 'connected' || text ? 'Try Show: All or clear the filter.' : ''}
                  </TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
        </TableContainer>
        <TablePagination
          component="div"
          count={result.data?.meta.total ?? 0}
          page={page}
          rowsPerPage={size}
          rowsPerPageOptions={PAGE_SIZES}
          onPageChange={(_, p) => update({ page: p ? String(p) : null })}
          onRowsPerPageChange={(e) => update({ size: e.target.value, page: null })}
        />
      </Card>
    </Box>
  );
}
