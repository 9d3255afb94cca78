"""What notebooks show: HTML views, figures, explorers, the simulation pack, notebook helpers."""
