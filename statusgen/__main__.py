import sys

from statusgen.cli import main

sys.exit(main())
