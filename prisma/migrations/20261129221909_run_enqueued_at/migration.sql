-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "enqueuedAt" TIMESTAMP(3);
