-- Per-chunk statistics kept by PostgreSQL itself (stored generated columns, recomputed on every insert or merge of
-- a chunk): point count, min and max value, and the last point (highest step). A run's metric summary and its
-- latest values read these few bytes from the heap instead of detoasting and unnesting every array (the Compare
-- page asks for the summary of each run it shows: 10⁵ points a run cost ~60 ms before). See docs/metric-storage.md.
CREATE FUNCTION metric_array_min(double precision[]) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT min(v) FROM unnest($1) AS v $$;
CREATE FUNCTION metric_array_max(double precision[]) RETURNS double precision
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT max(v) FROM unnest($1) AS v $$;

ALTER TABLE "MetricChunk"
  ADD COLUMN "count" INTEGER GENERATED ALWAYS AS (cardinality("steps")) STORED,
  ADD COLUMN "min" DOUBLE PRECISION GENERATED ALWAYS AS (metric_array_min("values")) STORED,
  ADD COLUMN "max" DOUBLE PRECISION GENERATED ALWAYS AS (metric_array_max("values")) STORED,
  ADD COLUMN "lastStep" INTEGER GENERATED ALWAYS AS ("steps"[cardinality("steps")]) STORED,
  ADD COLUMN "last" DOUBLE PRECISION GENERATED ALWAYS AS ("values"[cardinality("values")]) STORED,
  ADD COLUMN "lastTime" BIGINT GENERATED ALWAYS AS ("times"[cardinality("times")]) STORED;
