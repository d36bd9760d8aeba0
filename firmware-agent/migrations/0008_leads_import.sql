-- Lead import: column mappings per source, import jobs (leads/import). Filled in by its module.
SELECT 1;
