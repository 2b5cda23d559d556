-- pg_trgm for the trigram indexes below (Neon, PGlite and PostgreSQL contrib all have it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "tasks_user_pending_created_idx" ON "tasks" USING btree ("user_id","created_at","id") WHERE "tasks"."completed" = false;--> statement-breakpoint
CREATE INDEX "tasks_title_trgm_idx" ON "tasks" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "tasks_description_trgm_idx" ON "tasks" USING gin ("description" gin_trgm_ops);