-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "RunStatus" ADD VALUE 'paused';
ALTER TYPE "RunStatus" ADD VALUE 'stopped';

-- AlterEnum
ALTER TYPE "SweepStrategy" ADD VALUE 'asha';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "bracket" INTEGER,
ADD COLUMN     "replicate" INTEGER,
ADD COLUMN     "rung" INTEGER,
ADD COLUMN     "sweepConfig" INTEGER;

-- AlterTable
ALTER TABLE "Sweep" ADD COLUMN     "asha" JSONB,
ADD COLUMN     "replicates" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "RungResult" (
    "sweepId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "rung" INTEGER NOT NULL,
    "epochs" INTEGER NOT NULL,
    "value" DOUBLE PRECISION,
    "promoted" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RungResult_pkey" PRIMARY KEY ("runId","rung")
);

-- CreateIndex
CREATE INDEX "RungResult_sweepId_rung_idx" ON "RungResult"("sweepId", "rung");

-- CreateIndex
CREATE INDEX "Run_sweepId_sweepConfig_idx" ON "Run"("sweepId", "sweepConfig");

-- AddForeignKey
ALTER TABLE "RungResult" ADD CONSTRAINT "RungResult_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;
