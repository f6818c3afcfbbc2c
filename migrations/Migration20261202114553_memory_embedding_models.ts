import { Migration } from '@mikro-orm/migrations';

// Embeddings per model (issue 15): each vector records its model and dimension (no fixed 1536 any more),
// a compact int8 copy for search, and a generated English full-text vector for hybrid retrieval.
export class Migration20261202114553_memory_embedding_models extends Migration {
  override name = 'Migration20261202114553_memory_embedding_models';

  override up(): void | Promise<void> {
    this.addSql(`alter table "memory_items" drop constraint "memory_items_embedding_check";`);
    this.addSql(
      `alter table "memory_items" add "embedding_model" text null, add "embedding_dimensions" int null, add "embedding_q" bytea null, add "search_vector" tsvector generated always as (to_tsvector('english', content)) stored null;`,
    );
    // Vectors written before this migration: the model their row names (the hash embedding unless an
    // embeddings API was configured), and their length. The compact copy (embedding_q) stays null: the
    // memory-reembed job writes it while it moves them to the configured model.
    this.addSql(
      `update "memory_items" set "embedding_model" = coalesce("extraction_metadata"->>'embedder', 'local-hash-v1'), "embedding_dimensions" = cardinality("embedding") where "embedding" is not null;`,
    );
    this.addSql(`create index "memory_items_search_idx" on "public"."memory_items" using gin("search_vector");`);
    this.addSql(`create index "memory_items_embedding_model_idx" on "memory_items" ("embedding_model", "id");`);
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_embedding_q_check" check (embedding_q is null or length(embedding_q) = 4 + embedding_dimensions);`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_embedding_check" check ((embedding is null and embedding_model is null and embedding_dimensions is null) or (embedding_model is not null and cardinality(embedding) = embedding_dimensions));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "memory_items_search_idx";`);
    this.addSql(`drop index "memory_items_embedding_model_idx";`);
    this.addSql(`alter table "memory_items" drop constraint "memory_items_embedding_q_check";`);
    this.addSql(`alter table "memory_items" drop constraint "memory_items_embedding_check";`);
    this.addSql(
      `alter table "memory_items" drop column "embedding_model", drop column "embedding_dimensions", drop column "embedding_q", drop column "search_vector";`,
    );
    this.addSql(
      `alter table "memory_items" add constraint "memory_items_embedding_check" check ((embedding IS NULL) OR (cardinality(embedding) = 1536));`,
    );
  }
}
