"""Deploy: the scoring server the engine supervises, its status, and the predictions it logs."""
