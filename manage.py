#!/usr/bin/env python
"""Django's command-line utility; `tandem` is the same thing as a console script."""

from config.cli import main

if __name__ == "__main__":
    main()
