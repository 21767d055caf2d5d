import sys

from rikg.cli import main

sys.exit(main())
