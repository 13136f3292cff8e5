SELECT 'sessions: offsets and batches are committed by the runner' AS note;
