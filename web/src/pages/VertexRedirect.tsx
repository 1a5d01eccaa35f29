import { Alert, CircularProgress } from '@mui/material';
import { useEffect, useState } from 'react';
import { Navigate, useParams } from 'react-router-dom';
import { resolveVertex } from '../api';

/** Opens the page of a graph vertex (search results and connections carry vertex ids). */
export function VertexRedirect() {
  const { collection = '', vertexId = '' } = useParams();
  const [target, setTarget] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    resolveVertex(collection, vertexId).then(
      (id) => (id ? setTarget(`/browse/${collection}/${id}`) : setError('Object not found.')),
      (err: Error) => setError(err.message),
    );
  }, [collection, vertexId]);

  if (target) return <Navigate to={target} replace />;
  if (error) return <Alert severity="warning">{error}</Alert>;
  return <CircularProgress aria-label="Opening" />;
}
