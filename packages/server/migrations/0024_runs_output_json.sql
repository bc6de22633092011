-- Outputs are stored as the text the engine wrote (json), not parsed into jsonb: issue 20, docs/decisions/0052.
-- Rewrites the runs table once (an ACCESS EXCLUSIVE lock for its length).
ALTER TABLE "runs" ALTER COLUMN "output" SET DATA TYPE json;