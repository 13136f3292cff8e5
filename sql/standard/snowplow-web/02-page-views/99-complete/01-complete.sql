SELECT 'page_views: offsets and batches are committed by the runner' AS note;
