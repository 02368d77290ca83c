"""Analytics: rollups, the stats API, the dashboard's data and the query benchmarks. Reads the other apps' selectors;
nobody imports it but URLs, admin and tasks."""
