"""Purchase orders (bons de commande) and service done (service fait)."""
