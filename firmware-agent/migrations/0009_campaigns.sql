-- Campaign custody, hand-overs, callbacks, dispositions (campaigns module). Filled in by its module.
SELECT 1;
