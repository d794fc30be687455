-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'imported';
