"""Matching: score adept-mentor pairs and solve the optimal assignment around hard rules."""
