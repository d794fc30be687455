-- Metric storage: a key dictionary (MetricSeries: one 4-byte id per run × key) and points stored as chunks of
-- parallel arrays (MetricChunk: steps [chunk·1024, (chunk+1)·1024) of one series), lz4-compressed. Replaces the
-- row-per-point "Metric" table (uuid + text key repeated in every row and its primary-key index: ~194 bytes a
-- point). Existing points are moved, not dropped. See docs/metric-storage.md.

-- CreateTable
CREATE TABLE "MetricSeries" (
    "id" SERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "key" TEXT NOT NULL,

    CONSTRAINT "MetricSeries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetricChunk" (
    "seriesId" INTEGER NOT NULL,
    "chunk" INTEGER NOT NULL,
    "steps" INTEGER[],
    "values" DOUBLE PRECISION[],
    "times" BIGINT[],

    CONSTRAINT "MetricChunk_pkey" PRIMARY KEY ("seriesId","chunk")
);

-- lz4 (PostgreSQL ≥ 14) decompresses several times faster than the default pglz, and arrays above ~2 kB are
-- compressed and moved to the TOAST table.
ALTER TABLE "MetricChunk" ALTER COLUMN "steps" SET COMPRESSION lz4, ALTER COLUMN "values" SET COMPRESSION lz4, ALTER COLUMN "times" SET COMPRESSION lz4;

-- CreateIndex
CREATE UNIQUE INDEX "MetricSeries_runId_key_key" ON "MetricSeries"("runId", "key");

-- AddForeignKey
ALTER TABLE "MetricSeries" ADD CONSTRAINT "MetricSeries_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MetricChunk" ADD CONSTRAINT "MetricChunk_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "MetricSeries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Move the stored points: one series per (run, key), one chunk per 1024 steps, arrays in step order.
INSERT INTO "MetricSeries" ("runId", "key")
SELECT DISTINCT "runId", "key" FROM "Metric" ORDER BY "runId", "key";

INSERT INTO "MetricChunk" ("seriesId", "chunk", "steps", "values", "times")
SELECT s."id", m."step" / 1024,
       array_agg(m."step" ORDER BY m."step"),
       array_agg(m."value" ORDER BY m."step"),
       array_agg(round(extract(epoch FROM m."wallTime") * 1000)::bigint ORDER BY m."step")
FROM "Metric" m JOIN "MetricSeries" s ON s."runId" = m."runId" AND s."key" = m."key"
GROUP BY s."id", m."step" / 1024;

-- DropForeignKey
ALTER TABLE "Metric" DROP CONSTRAINT "Metric_runId_fkey";

-- DropTable
DROP TABLE "Metric";
