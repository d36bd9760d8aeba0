-- Predictive dialer decisions and outcomes (dialer module). Filled in by its module.
SELECT 1;
