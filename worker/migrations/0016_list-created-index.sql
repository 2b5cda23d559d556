DROP INDEX "tasks_user_list_idx";--> statement-breakpoint
CREATE INDEX "tasks_user_list_created_idx" ON "tasks" USING btree ("user_id","list_id","created_at","id");