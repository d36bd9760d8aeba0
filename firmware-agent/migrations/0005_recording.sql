-- Call recordings (issue: recording and fax). Filled in by the recording module.
SELECT 1;
