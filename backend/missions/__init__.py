"""Mission orders (ordres de mission): an agent's travel request and its approval circuit."""
