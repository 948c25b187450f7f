-- Pages of the list are keyset ranges on (created_at, id) within one user: the index now ends
-- with "id", so a page is one ordered index range, ties included. Made before the old one goes.
CREATE INDEX IF NOT EXISTS "todos_user_id_created_at_id_idx" ON "todos" USING btree ("user_id","created_at","id");--> statement-breakpoint
DROP INDEX IF EXISTS "todos_user_id_created_at_idx";--> statement-breakpoint
-- The per-user cap counts here (kept by the to-do store on every create and delete).
CREATE TABLE IF NOT EXISTS "todo_counts" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
DO $$ BEGIN
	ALTER TABLE "todo_counts" ADD CONSTRAINT "todo_counts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
-- The to-dos already there count.
INSERT INTO "todo_counts" ("user_id", "count")
SELECT "user_id", count(*) FROM "todos" GROUP BY "user_id"
ON CONFLICT ("user_id") DO UPDATE SET "count" = excluded."count";
