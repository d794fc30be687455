-- AlterEnum
ALTER TYPE "TokenScope" ADD VALUE 'member';

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "attempt" INTEGER,
ADD COLUMN     "evaluationId" UUID,
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "runnerId" UUID;

-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "runnerId" UUID;

-- AlterTable
ALTER TABLE "Runner" ADD COLUMN     "tokenId" UUID;

-- CreateTable
CREATE TABLE "ProjectGrant" (
    "tokenId" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectGrant_pkey" PRIMARY KEY ("tokenId","projectId")
);

-- CreateIndex
CREATE INDEX "ProjectGrant_projectId_idx" ON "ProjectGrant"("projectId");

-- CreateIndex
CREATE INDEX "ApiToken_evaluationId_idx" ON "ApiToken"("evaluationId");

-- CreateIndex
CREATE INDEX "ApiToken_runnerId_idx" ON "ApiToken"("runnerId");

-- CreateIndex
CREATE INDEX "Runner_tokenId_idx" ON "Runner"("tokenId");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "Evaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_runnerId_fkey" FOREIGN KEY ("runnerId") REFERENCES "Runner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectGrant" ADD CONSTRAINT "ProjectGrant_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectGrant" ADD CONSTRAINT "ProjectGrant_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Runner" ADD CONSTRAINT "Runner_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_runnerId_fkey" FOREIGN KEY ("runnerId") REFERENCES "Runner"("id") ON DELETE SET NULL ON UPDATE CASCADE;
