"""Allow ``python -m chefintro``."""

from chefintro.cli.app import main

if __name__ == "__main__":
    main()
