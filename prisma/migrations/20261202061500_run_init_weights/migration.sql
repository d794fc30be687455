-- A pretraining run may start from stored weights instead of its seeded init (POST /api/runs initWeights):
-- the artifact resolved at creation (contracts initWeightsSchema: artifactId, runId, kind), NULL when seeded.
ALTER TABLE "Run" ADD COLUMN "initWeights" JSONB;
