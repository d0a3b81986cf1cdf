"""chefintro: run a yearly cross-agency introduction programme for new managers."""

__version__ = "0.1.0"
