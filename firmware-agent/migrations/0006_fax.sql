-- Fax inbox and outbox (issue: recording and fax). Filled in by the fax module.
SELECT 1;
