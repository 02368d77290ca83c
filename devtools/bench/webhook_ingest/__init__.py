"""Support for bench_webhook_ingest: the bench settings, the baseline view and the load generators."""
