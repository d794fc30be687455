-- DropTable
DROP TABLE "Dataset";
