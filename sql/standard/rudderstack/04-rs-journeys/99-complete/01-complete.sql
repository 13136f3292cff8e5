SELECT 'rs_journeys: offsets are committed by the runner' AS note;
