SELECT 'link_clicks: the runner commits the offset and releases the batches' AS note;
