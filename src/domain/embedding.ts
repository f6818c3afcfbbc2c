/**
 * Length of every stored memory embedding. It is a schema fact (a CHECK on `memory_items.embedding`):
 * a model with another dimension needs a migration that re-embeds, not just a new env value.
 */
export const EMBEDDING_DIMENSIONS = 1536;
